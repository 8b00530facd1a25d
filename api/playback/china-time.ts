const CHINA_OFFSET_MS = 8 * 3_600_000;

/** `2026-12-06 20:41:05` in China time (UTC+8, no daylight saving), for manifests, captions and messages. */
export function formatChinaTime(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** ISO 8601 with the +08:00 offset and milliseconds, e.g. `2026-12-06T20:41:05.120+08:00`. */
export function isoChinaTime(ms: number): string {
  return `${new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 23)}+08:00`;
}
