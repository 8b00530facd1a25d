import { DomainError } from '../../api/kernel/errors/domain-error.ts';

/** One ffmpeg run: argv plus what the hub writes to its stdin (then closes). */
export interface FfmpegCommand {
  args: string[];
  stdin: string;
}

/** Protocols the inner input may use; anything else (file:, http:, concat:, …) is refused by ffmpeg itself. */
const PROTOCOLS = 'pipe,rtsp,rtsps,rtmp,tcp,tls,udp,rtp';
const OPTION_NAME = /^[a-z_]+$/;
const OPTION_VALUE = /^[\w+.:-]+$/;

/**
 * Input options plus `-i` for a URL that must not appear in argv (camera credentials, local RTMP signatures):
 * /proc/<pid>/cmdline is readable by every local user. ffmpeg 5.1 has no `-/option file`, so the URL goes in
 * an ffconcat script written to ffmpeg's stdin: one `file` entry, its demuxer options as `option` lines
 * (those reach the inner demuxer; options in argv would apply to the concat demuxer). argv keeps only
 * `-f concat … -i pipe:0`. Callers check the URL first (assertCameraUrl / assertLocalRtmp).
 */
export function privateInput(url: string, options: Array<[string, string]>): { args: string[]; stdin: string } {
  if (/[\0\r\n]/.test(url)) throw new DomainError('FFMPEG_INPUT_INVALID', 'input URL must not contain control characters');
  const lines = ['ffconcat version 1.0', `file '${url.replaceAll("'", "'\\''")}'`];
  for (const [name, value] of options) {
    if (!OPTION_NAME.test(name) || !OPTION_VALUE.test(value)) throw new DomainError('FFMPEG_INPUT_INVALID', `invalid input option ${name}`);
    lines.push(`option ${name} ${value}`);
  }
  return {
    args: ['-f', 'concat', '-safe', '0', '-protocol_whitelist', PROTOCOLS, '-i', 'pipe:0'],
    stdin: `${lines.join('\n')}\n`,
  };
}

/** The input URL of a command's stdin script (for stderr scrubbing and tests). */
export function privateInputUrl(stdin: string): string | undefined {
  const quoted = /^file '(.*)'$/m.exec(stdin)?.[1];
  return quoted?.replaceAll("'\\''", "'");
}

/** The `option` lines of a command's stdin script, as argv-style pairs. */
export function privateInputOptions(stdin: string): string[] {
  return [...stdin.matchAll(/^option (\S+) (\S+)$/gm)].flatMap((m) => [`-${m[1]}`, m[2]!]);
}
