import { isAbsolute } from 'node:path';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { assertCameraUrl } from '../rtsp/camera-url.ts';

/**
 * What every ffmpeg argv builder in this folder shares. This folder is the one place that knows ffmpeg's
 * options (relay-args, sampler-args, frame-grab-args, test-clip-args): the hub never hands ffmpeg a shell
 * string, every value is its own argv entry, camera inputs pass `assertCameraUrl()`, outputs are paths we
 * made. We build argv ourselves rather than through fluent-ffmpeg (archived upstream) so swapping the
 * media tool touches this folder only.
 */

/** Absolute path, no control characters: safe as one argv entry and as an ffmpeg output name. */
export function assertPlainPath(path: string, what: string): void {
  if (!isAbsolute(path) || /[\0\r\n]/.test(path)) throw new DomainError('FFMPEG_PATH_INVALID', `${what} must be an absolute path without control characters`);
}

/** Whether the URL is the embedded media server on loopback (the relay's own output, never a camera). */
export function isLocalRtmp(url: string): boolean {
  if (/[\s\0]/.test(url)) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'rtmp:' && parsed.hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

export function assertLocalRtmp(url: string): void {
  if (!isLocalRtmp(url)) throw new DomainError('FFMPEG_OUTPUT_INVALID', 'relay output must be the local RTMP server');
}

/** RTSP input options: TCP interleaved (no UDP ports to open) and a socket timeout, so a silent camera makes ffmpeg exit. */
export function rtspInputOptions(timeoutSeconds: number): Array<[string, string]> {
  return [['rtsp_transport', 'tcp'], ['timeout', microseconds(timeoutSeconds)]];
}

/**
 * Input options for a stream the hub reads frames from: the relay's own local RTMP output (a read timeout),
 * or else a camera, which must be rtsp:// or rtsps:// (no file:, concat:, playlists, options).
 */
export function streamInputOptions(url: string, timeoutSeconds: number): Array<[string, string]> {
  // The relay's FLV carries no usable onMetaData, so the flv demuxer would wait its default 5 s for audio that
  // never comes: the stream starts with a key frame from the GOP cache, half a second of it is enough.
  if (isLocalRtmp(url)) return [['rw_timeout', microseconds(timeoutSeconds)], ['analyzeduration', '500000']];
  assertCameraUrl(url);
  return rtspInputOptions(timeoutSeconds);
}

/** ffmpeg's network timeouts are in microseconds. */
export function microseconds(seconds: number): string {
  return String(Math.round(seconds * 1_000_000));
}
