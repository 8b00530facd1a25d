import type { CameraStatus } from '../../api/kernel/db/tables/index.ts';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { OnvifClient } from '../onvif/onvif-client.ts';
import type { CameraCredentials, CameraRow } from '../registry/camera-repository.ts';
import { probeRtsp } from '../rtsp/rtsp-probe.ts';

export interface CheckResult {
  status: Exclude<CameraStatus, 'unknown'>;
  reason: string;
}

export interface CheckOptions {
  timeoutMs: number;
  maxBytes: number;
}

/**
 * One health check: ONVIF (clock, then an authenticated GetDeviceInformation) when the camera has an
 * XAddr, then RTSP DESCRIBE with the stored credentials. Any refusal of the credentials is auth_failed,
 * anything unreachable or not answering in time is offline. Reasons never contain URLs with credentials.
 */
export async function checkCamera(camera: Pick<CameraRow, 'onvif_xaddr' | 'stream_url'>, credentials: CameraCredentials | undefined, options: CheckOptions): Promise<CheckResult> {
  if (camera.onvif_xaddr) {
    const client = new OnvifClient({ xaddr: camera.onvif_xaddr, credentials, timeoutMs: options.timeoutMs, maxBytes: options.maxBytes });
    try {
      await client.getSystemDateAndTime();
      if (credentials) await client.getDeviceInformation();
    } catch (error) {
      const code = error instanceof DomainError ? error.code : 'ERROR';
      if (code === 'ONVIF_AUTH_FAILED') return { status: 'auth_failed', reason: 'ONVIF refused the stored username or password' };
      return { status: 'offline', reason: `ONVIF ${code}: ${(error as Error).message.slice(0, 200)}` };
    }
  }
  const rtsp = await probeRtsp(camera.stream_url, { username: credentials?.username, password: credentials?.password, timeoutMs: options.timeoutMs });
  if (rtsp.ok) return { status: 'online', reason: rtsp.hasVideo ? 'RTSP DESCRIBE ok' : 'RTSP DESCRIBE ok (no video track announced)' };
  if (rtsp.kind === 'auth_failed') return { status: 'auth_failed', reason: rtsp.reason };
  return { status: 'offline', reason: `RTSP ${rtsp.kind}: ${rtsp.reason}` };
}
