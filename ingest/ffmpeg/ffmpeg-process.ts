import type { Logger } from 'pino';
import type { BackoffPolicy } from '../../api/process/backoff.ts';
import { SupervisedProcess } from '../../api/process/supervised-process.ts';
import { scrubCredentials } from './ffmpeg-stderr.ts';

export interface FfmpegProcessOptions {
  ffmpegPath: string;
  /** Short name for logs, e.g. `ffmpeg:relay:<cameraId>`. */
  name: string;
  args: string[];
  restart?: BackoffPolicy & { stableAfterMs?: number };
  logger?: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
  /** How many stderr lines to keep for error messages. */
  tailLines?: number;
}

/** An ffmpeg child under the supervisor, with the last stderr lines kept (credentials stripped) for diagnostics. */
export class FfmpegProcess {
  readonly process: SupervisedProcess;
  private readonly tail: string[] = [];

  constructor(private readonly options: FfmpegProcessOptions) {
    this.process = new SupervisedProcess({
      name: options.name,
      command: options.ffmpegPath,
      args: options.args,
      restart: options.restart,
      stopTimeoutMs: 3_000,
      logger: options.logger,
    });
    const inputUrls = options.args.filter((arg) => /^(rtsps?|rtmp):\/\//.test(arg));
    this.process.on('stderrLine', (line) => {
      this.tail.push(scrubCredentials(line, inputUrls));
      if (this.tail.length > (options.tailLines ?? 20)) this.tail.shift();
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** Recent stderr, credentials removed. */
  recentOutput(): string[] {
    return [...this.tail];
  }
}
