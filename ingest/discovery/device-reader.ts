import type { Logger } from 'pino';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { OnvifClient, type OnvifCredentials } from '../onvif/onvif-client.ts';
import { pickStreams, type DeviceInformation } from '../onvif/onvif-parse.ts';
import { safeOrigin } from '../onvif/bounded-fetch.ts';
import { assertCameraUrl, redactUrl } from '../rtsp/camera-url.ts';

/** What adoption learns from a device with its credentials. */
export interface DeviceFacts {
  info: DeviceInformation;
  mediaXaddr: string;
  ptzXaddr: string | null;
  profileToken: string;
  subProfileToken: string | null;
  streamUrl: string;
  subStreamUrl: string | null;
  /** Only kept when on the device's own origin (it gets the credentials). */
  snapshotUrl: string | null;
  ptz: boolean;
}

export interface DeviceReaderOptions {
  timeoutMs: number;
  maxBytes: number;
  log?: Pick<Logger, 'warn' | 'debug'>;
}

/**
 * Reads an ONVIF device for adoption: clock, device information, services, profiles (main = largest,
 * sub = smallest), stream and snapshot URIs. Stream URIs must be rtsp(s) on the device's own host, and a
 * snapshot URI on another origin is dropped: the credentials are for the adopted device only.
 */
export async function readDevice(xaddr: string, credentials: OnvifCredentials, options: DeviceReaderOptions): Promise<DeviceFacts> {
  const client = new OnvifClient({ xaddr, credentials, timeoutMs: options.timeoutMs, maxBytes: options.maxBytes, log: options.log });
  await client.getSystemDateAndTime();
  const info = await client.getDeviceInformation();
  const services = await client.getServices();
  const streams = pickStreams(await client.getProfiles(services.media!));
  if (!streams) throw new DomainError('ONVIF_NO_PROFILES', `${client.deviceOrigin} has no media profiles`);
  const deviceHost = new URL(xaddr).hostname;
  const checkStream = (raw: string, which: string): string => {
    let url: URL;
    try {
      url = assertCameraUrl(raw);
    } catch (cause) {
      throw new DomainError('ONVIF_STREAM_URI_REFUSED', `${client.deviceOrigin} advertised a ${which} stream URI that is not rtsp:// or rtsps:// (${redactUrl(raw).slice(0, 120)})`, { cause });
    }
    if (url.hostname !== deviceHost) {
      throw new DomainError('ONVIF_FOREIGN_STREAM_HOST', `${client.deviceOrigin} advertised a ${which} stream on another host (${url.hostname}); it would receive the camera credentials, so adoption is refused`);
    }
    return raw;
  };
  const streamUrl = checkStream(await client.getStreamUri(services.media!, streams.main.token), 'main');
  const subStreamUrl = streams.sub ? checkStream(await client.getStreamUri(services.media!, streams.sub.token), 'sub') : null;
  let snapshotUrl: string | null = null;
  try {
    const uri = await client.getSnapshotUri(services.media!, streams.main.token);
    if (safeOrigin(uri) === client.deviceOrigin) snapshotUrl = uri;
    else options.log?.warn({ device: client.deviceOrigin, snapshotOrigin: safeOrigin(uri) }, 'snapshot URI on another origin dropped; snapshots will come from the stream');
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'ONVIF_FAULT') throw error;
  }
  return {
    info,
    mediaXaddr: services.media!,
    ptzXaddr: services.ptz ?? null,
    profileToken: streams.main.token,
    subProfileToken: streams.sub?.token ?? null,
    streamUrl,
    subStreamUrl,
    snapshotUrl,
    ptz: services.ptz !== undefined && streams.main.hasPtz,
  };
}
