import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { BackoffPolicy } from '../../api/kernel/process/backoff.ts';
import { PeriodicTask } from '../../api/kernel/process/periodic-task.ts';
import { SupervisedProcess, type ProcessRun } from '../../api/kernel/process/supervised-process.ts';
import { scrubCredentials } from './ffmpeg-stderr.ts';
import { privateInputUrl } from './private-input.ts';

export interface FfmpegRunnerOptions {
  ffmpegPath: string;
  /** Short name for logs, e.g. `ffmpeg:relay:<cameraId>`. */
  name: string;
  /**
   * argv (with the stdin an argv builder wrote the input to), or a step that decides it before every run
   * (e.g. on a fresh lease of the input or a fresh short-lived URL); a throw is a failed run.
   */
  args: string[] | ProcessRun | (() => Promise<ProcessRun>);
  /** Restart after every exit and failed argv step, with backoff.ts; a run up for `stableAfterMs` starts it over. */
  restart: BackoffPolicy & { stableAfterMs?: number };
  /** Kill ffmpeg for a restart when `progress()` was not called for `afterMs` (checked every `checkEveryMs`). */
  /** Kill (for a restart) when no progress for afterMs; never while `held()` says the silence is expected. */
  stall?: { afterMs: number; checkEveryMs: number; held?: () => boolean };
  /** Keep stdout as a raw stream (rawvideo frames) instead of discarding its lines. */
  rawStdout?: boolean;
  logger?: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
  /** How many stderr lines to keep for error messages. */
  tailLines?: number;
}

export interface FfmpegRunnerEvents {
  /** A run started; `stdin` is its open stdin when the run feeds it (ProcessRun.feedStdin), else null. */
  spawn: [stdin: Writable | null];
  exit: [code: number | null, signal: NodeJS.Signals | null];
  /** A stderr line with every input URL's credentials and query removed. */
  stderrLine: [line: string];
  stdout: [stream: Readable];
  prepareFailed: [error: unknown];
  /** The watchdog is killing a run that made no progress. */
  stalled: [];
}

const INPUT_URL = /^(rtsps?|rtmp):\/\//;

/**
 * The one way the hub keeps an ffmpeg running (relay pulls, analytics samplers): a supervised child in
 * its own process group, restarted with the shared backoff policy, killed by a no-progress watchdog, and
 * its stderr scrubbed of input credentials before anyone sees it.
 */
export class FfmpegRunner extends EventEmitter<FfmpegRunnerEvents> {
  private readonly process: SupervisedProcess;
  private readonly tail: string[] = [];
  private inputUrls: string[] = [];
  private lastProgressAt = Date.now();
  private readonly watchdog: PeriodicTask<void> | undefined;

  constructor(private readonly options: FfmpegRunnerOptions) {
    super();
    const { args } = options;
    this.process = new SupervisedProcess({
      name: options.name,
      command: options.ffmpegPath,
      args: typeof args === 'function' ? async () => this.knowInputs(await args()) : this.knowInputs(Array.isArray(args) ? { args } : args as ProcessRun),
      restart: options.restart,
      rawStdout: options.rawStdout,
      stopTimeoutMs: 3_000,
      logger: options.logger,
    });
    this.process.on('spawn', (child) => {
      this.lastProgressAt = Date.now();
      this.emit('spawn', child.stdin);
    });
    this.process.on('exit', (code, signal) => this.emit('exit', code, signal));
    this.process.on('stdout', (stream) => this.emit('stdout', stream));
    this.process.on('prepareFailed', (error) => this.emit('prepareFailed', error));
    this.process.on('stderrLine', (raw) => {
      const line = this.scrub(raw);
      this.tail.push(line);
      if (this.tail.length > (options.tailLines ?? 20)) this.tail.shift();
      this.emit('stderrLine', line);
    });
    const { stall } = options;
    this.watchdog = stall && new PeriodicTask({
      run: async () => (stall.held?.() ? this.progress() : this.checkStall(stall.afterMs)),
      everyMs: stall.checkEveryMs,
      onError: (error) => options.logger?.warn({ process: options.name, err: error }, 'ffmpeg watchdog failed'),
    });
  }

  private knowInputs(run: ProcessRun): ProcessRun {
    const privateUrl = run.stdin === undefined ? undefined : privateInputUrl(run.stdin);
    this.inputUrls = [...run.args.filter((arg) => INPUT_URL.test(arg)), ...(privateUrl ? [privateUrl] : [])];
    return run;
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.running;
  }

  /** Restarts so far (after exits, watchdog kills and failed argv steps). */
  get restarts(): number {
    return this.process.restarts;
  }

  /** A text with the current inputs' credentials and queries removed (ffmpeg echoes its input URLs). */
  scrub(text: string): string {
    return scrubCredentials(text, this.inputUrls);
  }

  /** Recent stderr, credentials removed. */
  recentOutput(): string[] {
    return [...this.tail];
  }

  /** ffmpeg delivered output (a segment, a frame): the watchdog leaves it alone for another `stall.afterMs`. */
  progress(at = Date.now()): void {
    this.lastProgressAt = at;
  }

  start(): void {
    this.process.start();
    this.watchdog?.start();
  }

  private async checkStall(afterMs: number): Promise<void> {
    const now = Date.now();
    if (!this.process.running || now - this.lastProgressAt <= afterMs) return;
    this.lastProgressAt = now;
    this.options.logger?.warn({ process: this.options.name, stallMs: afterMs }, 'ffmpeg made no progress; killing it for a restart');
    this.emit('stalled');
    await this.process.kill('SIGKILL');
  }

  /** Stop for good (the whole process group); resolves once it is gone. */
  async stop(): Promise<void> {
    await this.watchdog?.stop();
    await this.process.stop();
  }
}
