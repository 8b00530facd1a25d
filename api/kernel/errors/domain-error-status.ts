import type { DomainError } from './domain-error.ts';
import { HubError, isHubError } from './hub-error.ts';

/**
 * The HTTP status of each DomainError code that reaches a route. Anything not listed is the hub's own
 * failure (500), e.g. MODEL_FILE_MISSING or MODEL_LOAD_FAILED.
 */
const STATUS_BY_CODE: Record<string, number> = {
  // A picture the caller sent (analytics/models/raw-image.ts).
  IMAGE_SHAPE_INVALID: 400,
  IMAGE_UNREADABLE: 400,
  IMAGE_DECODE_FAILED: 400,
  IMAGE_NOT_FOUND: 404,
  IMAGE_TOO_LARGE: 413,
  // Frame analysis that could not run now (analytics/workers, analytics/pipeline).
  POOL_CLOSED: 503,
  REMOTE_QUEUE_FAILED: 503,
  REMOTE_ANALYSIS_TIMEOUT: 504,
  // Pass records the checkpoint store refused (analytics/vocabulary/pass-record-input.ts).
  PASS_INVALID: 400,
  PASS_IMAGE_PATH_INVALID: 400,
  PASS_CAMERA_UNKNOWN: 400,
  PASS_BATCH_TOO_LARGE: 400,
  // GB/T 28181 (ingest/gb28181): a PTZ value the caller gave; a device that is gone, refuses or does not answer.
  GB_PTZ_INVALID: 400,
  GB_DEVICE_OFFLINE: 503,
  GB_DEVICE_REFUSED: 502,
  GB_PRESETS_UNANSWERED: 504,
  SIP_TIMEOUT: 504,
  // Camera stream URLs the caller gave (ingest/rtsp/camera-url.ts).
  CAMERA_URL_INVALID: 400,
  CAMERA_URL_SCHEME: 400,
  // Discovery targets the caller gave (ingest/discovery/discovery-targets.ts).
  DISCOVERY_TARGET_INVALID: 400,
  DISCOVERY_RANGE_TOO_LARGE: 400,
  DISCOVERY_TARGET_NOT_ALLOWED: 400,
  // A device address the caller gave; everything else about a device is a bad gateway (ingest/onvif, ingest/discovery).
  ONVIF_XADDR_INVALID: 400,
  DEVICE_UNREACHABLE: 502,
  DEVICE_REDIRECT: 502,
  DEVICE_RESPONSE_TOO_LARGE: 502,
  DEVICE_TIMEOUT: 504,
  XML_DOCTYPE_REFUSED: 502,
  XML_MALFORMED: 502,
  ONVIF_NOT_ONVIF: 502,
  ONVIF_REPLY_INVALID: 502,
  ONVIF_FOREIGN_ORIGIN: 502,
  ONVIF_AUTH_FAILED: 502,
  ONVIF_FAULT: 502,
  ONVIF_NO_PROFILES: 502,
  ONVIF_STREAM_URI_REFUSED: 502,
  ONVIF_FOREIGN_STREAM_HOST: 502,
  DISCOVERY_REPLY_REJECTED: 502,
  // ffmpeg argv the caller's input would have made unsafe (ingest/ffmpeg); ffmpeg failing to start is ours (500).
  FFMPEG_PATH_INVALID: 400,
  FFMPEG_OUTPUT_INVALID: 400,
  FFMPEG_INPUT_INVALID: 400,
  // A still the camera could not give (ingest/snapshot).
  SNAPSHOT_FOREIGN_ORIGIN: 502,
  SNAPSHOT_AUTH_UNSUPPORTED: 502,
  SNAPSHOT_AUTH_FAILED: 502,
  SNAPSHOT_FAILED: 502,
  SNAPSHOT_NOT_IMAGE: 502,
  SNAPSHOT_INVALID_IMAGE: 502,
  SNAPSHOT_TIMEOUT: 504,
  // Too many stills being taken at once, hub-wide or by this user (ingest/snapshot/frame-grabs.ts).
  SNAPSHOT_BUSY: 429,
};

/** The HubError an error is answered with: a HubError as it is, a DomainError with the status of its code. */
export function toHubError(error: DomainError): HubError {
  if (isHubError(error)) return error;
  return new HubError(error.code, error.message, STATUS_BY_CODE[error.code] ?? 500, { cause: error, details: error.details });
}
