import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffPolicy } from './backoff.ts';

/** The argv of one run, and what to give back when that run ends (e.g. a lease on the input). */
export interface ProcessRun {
  args: readonly string[];
  /** Written to the child's stdin, which is then closed (secrets that must not be in argv); stdin is closed when omitted. */
  stdin?: string;
  /** Keep stdin open as a pipe the caller writes to as data arrives (emitted with the child on 'spawn'). */
  feedStdin?: boolean;
  release?: () => void;
}

export interface SupervisedProcessOptions {
  /** Short name used in logs, e.g. `ffmpeg:hls:cam-12`. */
  name: string;
  command: string;
  /**
   * argv array, never a shell string; or a step that decides it anew before every run (the input may move
   * between runs). A step that throws counts as a failed run: the restart backoff applies to it too.
   */
  args: readonly string[] | ProcessRun | (() => Promise<ProcessRun>);
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
  /** The argv step of a run threw; nothing was spawned. */
  prepareFailed: [error: unknown];
  gaveUp: [];
}

function isProcessRun(args: readonly string[] | ProcessRun): args is ProcessRun {
  return !Array.isArray(args);
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
  private preparing = false;
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
    if (this.running || this.preparing) return;
    this.stopping = false;
    this.runOnce();
  }

  /** One run: decide the argv (when it is a step), spawn, and settle `exitPromise` once it is over. */
  private runOnce(): void {
    const { args } = this.options;
    if (typeof args !== 'function') {
      this.spawnChild(isProcessRun(args) ? args : { args });
      return;
    }
    this.preparing = true;
    this.exitPromise = args().then(
      (run) => {
        this.preparing = false;
        if (this.stopping) {
          run.release?.();
          return undefined;
        }
        this.spawnChild(run);
        return this.exitPromise; // now the child's: this run is over when it closes
      },
      (error: unknown) => {
        this.preparing = false;
        this.emit('prepareFailed', error);
        this.scheduleRestart(null, null, false);
      },
    );
  }

  private spawnChild(run: ProcessRun): void {
    const { command, env, cwd, logger, name } = this.options;
    const child = spawn(command, [...run.args], {
      cwd,
      env: env ?? process.env,
      detached: true, // own process group, so stop() can kill ffmpeg and anything it forked
      stdio: [run.stdin === undefined && !run.feedStdin ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (run.feedStdin) child.stdin!.on('error', () => { /* the child exited: its exit is reported */ });
    if (run.stdin !== undefined) {
      child.stdin!.on('error', () => { /* the child exited before reading it: its exit is reported */ });
      child.stdin!.end(run.stdin);
    }
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
        run.release?.();
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
    this.emit('exit', code, signal);
    this.scheduleRestart(code, signal, true);
  }

  private scheduleRestart(code: number | null, signal: NodeJS.Signals | null, spawned: boolean): void {
    const { logger, name, restart } = this.options;
    if (this.stopping || !restart) return;
    // A run that stayed up for a while starts the backoff over; a failed argv step never does.
    if (spawned && Date.now() - this.startedAt >= (restart.stableAfterMs ?? 10_000)) this.attempt = 0;
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
      this.runOnce();
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
