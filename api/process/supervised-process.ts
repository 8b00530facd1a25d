import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffPolicy } from './backoff.ts';

export interface SupervisedProcessOptions {
  /** Short name used in logs, e.g. `ffmpeg:hls:cam-12`. */
  name: string;
  command: string;
  /** argv array; never a shell string. */
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Restart after an unexpected exit, with exponential backoff and jitter. Off when omitted. */
  restart?: BackoffPolicy & { stableAfterMs?: number };
  /** Grace between SIGTERM and SIGKILL of the process group on stop. */
  stopTimeoutMs?: number;
  /** Keep stdout as a raw stream (e.g. rawvideo frames) instead of splitting it into lines. */
  rawStdout?: boolean;
  logger?: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
}

export interface SupervisedProcessEvents {
  spawn: [child: ChildProcess];
  exit: [code: number | null, signal: NodeJS.Signals | null];
  stdoutLine: [line: string];
  stderrLine: [line: string];
  stdout: [stream: Readable];
  gaveUp: [];
}

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Last resort: if the hub dies without stopping its children, take their process groups with it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pgid of liveGroups) {
      try { process.kill(-pgid, 'SIGKILL'); } catch { /* already gone */ }
    }
  });
}

/** Process groups started by this process and still alive (for tests that check for orphans). */
export function liveProcessGroups(): number[] {
  return [...liveGroups];
}

/**
 * A child process in its own process group, killed as a group, restarted with backoff when it dies
 * unexpectedly. The only way the hub starts subprocesses.
 */
export class SupervisedProcess extends EventEmitter<SupervisedProcessEvents> {
  private child: ChildProcess | undefined;
  private stopping = false;
  private attempt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private exitPromise: Promise<void> | undefined;
  restarts = 0;

  constructor(private readonly options: SupervisedProcessOptions) {
    super();
    installExitHook();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.child && this.running) return;
    this.stopping = false;
    this.spawnChild();
  }

  private spawnChild(): void {
    const { command, args, env, cwd, logger, name } = this.options;
    const child = spawn(command, [...args], {
      cwd,
      env: env ?? process.env,
      detached: true, // own process group, so stop() can kill ffmpeg and anything it forked
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.startedAt = Date.now();
    const pid = child.pid;
    if (pid !== undefined) liveGroups.add(pid);
    logger?.debug({ process: name, pid }, 'process started');

    if (this.options.rawStdout) this.emit('stdout', child.stdout!);
    else createInterface({ input: child.stdout! }).on('line', (line) => this.emit('stdoutLine', line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.emit('stderrLine', line));

    this.exitPromise = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        if (pid !== undefined) liveGroups.delete(pid);
        this.onExit(code, signal);
        resolve();
      });
    });
    child.once('error', (error) => {
      logger?.error({ process: name, err: error }, 'process failed to start');
    });
    this.emit('spawn', child);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const { logger, name, restart } = this.options;
    this.emit('exit', code, signal);
    if (this.stopping || !restart) return;
    if (Date.now() - this.startedAt >= (restart.stableAfterMs ?? 10_000)) this.attempt = 0;
    if (restart.maxAttempts !== undefined && this.attempt >= restart.maxAttempts) {
      logger?.warn({ process: name, code, signal }, 'process exited; giving up');
      this.emit('gaveUp');
      return;
    }
    const delay = backoffDelay(restart, this.attempt++);
    logger?.warn({ process: name, code, signal, delayMs: delay }, 'process exited; restarting');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.restarts++;
      this.spawnChild();
    }, delay);
    this.restartTimer.unref();
  }

  /** Kill the current child (e.g. a stalled ffmpeg); the supervisor restarts it with backoff. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child?.pid || !this.running) return;
    killGroup(child.pid, signal);
    await this.exitPromise;
  }

  /** Stop for good: SIGTERM to the group, SIGKILL after the grace period. Resolves once it is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child?.pid || !this.running) {
      await this.exitPromise;
      return;
    }
    killGroup(child.pid, 'SIGTERM');
    const grace = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), this.options.stopTimeoutMs ?? 5_000);
    await this.exitPromise;
    clearTimeout(grace);
    // The leader is gone; make sure nothing it forked outlives it.
    killGroup(child.pid, 'SIGKILL');
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}
