import type { Readable } from 'node:stream';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { SupervisedProcess } from '../../api/kernel/process/supervised-process.ts';

export interface FfmpegRunOptions {
  /** Short name for logs, e.g. `ffmpeg:snapshot`. */
  name: string;
  args: string[];
  /** Written to ffmpeg's stdin (an input URL kept out of argv, see private-input.ts). */
  stdin?: string;
  ffmpegPath?: string;
  /** ffmpeg is stopped (process group killed) after this long; the result says `timedOut`. */
  timeoutMs: number;
  /** Keep stdout up to this many bytes (ffmpeg is stopped beyond it); stdout is discarded when omitted. */
  maxStdoutBytes?: number;
  /** Each stdout chunk as it comes (progress lines); stdout is then not kept unless `maxStdoutBytes` is set too. */
  onStdout?: (chunk: Buffer) => void;
  /** Stops ffmpeg (process group) when aborted; the result then says `aborted`. */
  signal?: AbortSignal;
  /** How many leading stderr lines to keep. */
  stderrLines?: number;
  /** The error code when ffmpeg cannot be started at all (callers keep their own stable codes). */
  startErrorCode: string;
  stopTimeoutMs?: number;
}

export interface FfmpegRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** stdout, or empty when it was discarded or went over `maxStdoutBytes`. */
  stdout: Buffer;
  stdoutOverflow: boolean;
  stderr: string[];
}

/**
 * One ffmpeg run to completion under the supervisor (argv only, own process group, killed at the
 * deadline, never left behind). stderr may echo input URLs with credentials: callers must not log it raw.
 */
export async function runFfmpegOnce(o: FfmpegRunOptions): Promise<FfmpegRunResult> {
  if (o.signal?.aborted) throw new DomainError('FFMPEG_ABORTED', 'the run was cancelled before ffmpeg started');
  const keepStdout = o.maxStdoutBytes !== undefined;
  const ffmpeg = new SupervisedProcess({
    name: o.name, command: o.ffmpegPath ?? 'ffmpeg', args: { args: o.args, stdin: o.stdin }, rawStdout: keepStdout || o.onStdout !== undefined, stopTimeoutMs: o.stopTimeoutMs ?? 1_000,
  });
  const chunks: Buffer[] = [];
  const stderr: string[] = [];
  let size = 0;
  let stdoutOverflow = false;
  ffmpeg.on('stdout', (stream: Readable) => {
    stream.on('data', (chunk: Buffer) => {
      o.onStdout?.(chunk);
      if (!keepStdout) return;
      size += chunk.length;
      if (size <= o.maxStdoutBytes!) chunks.push(chunk);
      else {
        stdoutOverflow = true;
        void ffmpeg.stop();
      }
    });
  });
  ffmpeg.on('stderrLine', (line) => {
    if (stderr.length < (o.stderrLines ?? 50)) stderr.push(line);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    ffmpeg.once('exit', (code, signal) => done({ code, signal }));
  });
  const failedToStart = new Promise<never>((_, fail) => {
    ffmpeg.once('spawn', (child) => child.once('error', (cause) => fail(new DomainError(o.startErrorCode, 'cannot start ffmpeg', { cause }))));
  });
  let timedOut = false;
  let aborted = false;
  const timer = setTimeout(() => { timedOut = true; void ffmpeg.stop(); }, o.timeoutMs);
  const onAbort = () => { aborted = true; void ffmpeg.stop(); };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  ffmpeg.start();
  try {
    const { code, signal } = await Promise.race([exited, failedToStart]);
    return { code, signal, timedOut, aborted, stdout: stdoutOverflow ? Buffer.alloc(0) : Buffer.concat(chunks), stdoutOverflow, stderr };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    await ffmpeg.stop();
  }
}
