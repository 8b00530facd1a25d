import { DomainError } from '../../api/kernel/errors/domain-error.ts';

const ALLOWED_PROTOCOLS = new Set(['rtsp:', 'rtsps:']);

/**
 * Camera stream URLs reach ffmpeg's argv, so only rtsp:// and rtsps:// pass: no file:, concat:, http
 * playlists, pipes, or anything that could be read as an option. Returns the parsed URL.
 */
export function assertCameraUrl(raw: string): URL {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) {
    throw new DomainError('CAMERA_URL_INVALID', 'camera URL must be a non-empty string of at most 2048 characters');
  }
  if (raw.startsWith('-') || /[\s\0]/.test(raw)) {
    throw new DomainError('CAMERA_URL_INVALID', 'camera URL must not start with "-" or contain spaces or control characters');
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new DomainError('CAMERA_URL_INVALID', 'camera URL is not a valid URL', { cause });
  }
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) {
    throw new DomainError('CAMERA_URL_SCHEME', `camera URL scheme ${url.protocol} is not allowed; use rtsp:// or rtsps://`);
  }
  if (!url.hostname) throw new DomainError('CAMERA_URL_INVALID', 'camera URL has no host');
  return url;
}

/** The URL with credentials put in; for handing to ffmpeg only, never for logs or responses. */
export function withCredentials(raw: string, username?: string | null, password?: string | null): string {
  const url = assertCameraUrl(raw);
  if (username) {
    url.username = encodeURIComponent(username);
    url.password = encodeURIComponent(password ?? '');
  }
  return url.toString();
}

/** The URL with any user:password removed, safe to log or return. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return '[invalid url]';
  }
}
