import { redactUrl } from '../rtsp/camera-url.ts';

/** Reading ffmpeg's stderr: the few facts the hub takes from its input description. */

/** The video codec ffmpeg reports for the input ("Stream #0:0: Video: hevc (Main), …"), if this line says it. */
export function inputVideoCodec(stderrLine: string): string | undefined {
  const match = /^\s*Stream #0:\d+.*?: Video: ([A-Za-z0-9_]+)/.exec(stderrLine);
  return match?.[1]?.toLowerCase();
}

/** Whether ffmpeg's stderr line belongs to the input section (ffmpeg prints "Input #0" before "Output #0"). */
export function isOutputHeader(stderrLine: string): boolean {
  return /^Output #\d+/.test(stderrLine);
}

/** The picture size on a "Stream #…: Video: …, WxH" line; the first such line describes the input. */
export function videoPictureSize(stderrLine: string): { width: number; height: number } | undefined {
  const size = /Stream #\d+:\d+.*: Video: .*?, (\d{2,5})x(\d{2,5})/.exec(stderrLine);
  return size ? { width: Number(size[1]), height: Number(size[2]) } : undefined;
}

const redactedForLog = (url: string) => redactUrl(url).replace(/\?.*$/, '?…');

/**
 * ffmpeg echoes input URLs in its messages; never let user:password or a URL's query (the relay's publish
 * signature) reach a log, a stats field or an error. The URLs ffmpeg was given are replaced whole first:
 * a password may hold characters (a quote) that end the generic URL match early.
 */
export function scrubCredentials(line: string, knownUrls: readonly string[] = []): string {
  let scrubbed = line;
  for (const url of knownUrls) scrubbed = scrubbed.replaceAll(url, redactedForLog(url));
  return scrubbed.replace(/\b(rtsps?|rtmp|https?):\/\/[^\s'"]+/g, redactedForLog);
}
