import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { SupervisedProcess } from '../../api/kernel/process/supervised-process.ts';

export interface RtspServerHandle {
  port: number;
  /** rtsp://127.0.0.1:port/mount, without credentials. */
  urlFor(mount: string): string;
  pid: number;
  /** RTSP PLAY requests (sessions started) per mount since the server started: a pull that restarted counts twice. */
  plays(): Map<string, number>;
  /** SIGSTOP the server: connections stay open but nothing is answered or sent (a frozen camera). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  stop(): Promise<void>;
}

export interface RtspServerOptions {
  /** Mount paths, e.g. `['/cam1', '/cam2']` (a leading slash is added when missing). */
  mounts: string[];
  /** An MP4 with one H.264 track starting on a key frame (see test-clip.ts), looped without re-encoding. */
  clipPath?: string;
  /**
   * Instead of a clip: every mount streams 640x360 25 fps frames that carry the wall-clock time they were made
   * in (a black/white stripe decoded by `clock-stripe.ts`, and a China-time clock for people), encoded live.
   * Costs an encoder per mount: for tests that check absolute times, not for many-camera loads.
   */
  clock?: boolean;
  /** When set, every mount requires RTSP basic or digest authentication with these credentials. */
  username?: string;
  password?: string;
  /** Port on 127.0.0.1; omitted = the server binds a free port itself (no window for another process to take it). */
  port?: number;
  /** Deadline for the server to accept RTSP connections. */
  startTimeoutMs?: number;
}

// The pyenv python3 on PATH has no `gi`; the system interpreter has PyGObject and gst-rtsp-server.
const PYTHON = '/usr/bin/python3';
const SERVER_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'rtsp_server.py');

/** A real RTSP server (gst-rtsp-server) streaming one looped H.264 clip (or the clock) on many mounts; resolves once it answers RTSP. */
export async function startRtspServer(opts: RtspServerOptions): Promise<RtspServerHandle> {
  if (opts.mounts.length === 0) throw new DomainError('SIM_RTSP_NO_MOUNTS', 'startRtspServer needs at least one mount');
  if ((opts.clipPath === undefined) === !opts.clock) throw new DomainError('SIM_RTSP_SOURCE', 'startRtspServer needs either clipPath or clock');
  if (opts.clipPath !== undefined && !existsSync(opts.clipPath)) throw new DomainError('SIM_RTSP_CLIP', `clip not found: ${opts.clipPath}`);
  const mounts = opts.mounts.map(normaliseMount);
  const source = opts.clipPath !== undefined ? ['--clip', opts.clipPath] : ['--clock'];
  const args = [SERVER_SCRIPT, ...source, '--port', String(opts.port ?? 0)];
  for (const mount of mounts) args.push('--mount', mount);
  if (opts.username !== undefined) args.push('--username', opts.username);
  // The password goes through the environment, not argv, so `ps` does not show it.
  const env = { ...process.env, SIM_RTSP_PASSWORD: opts.password ?? '' };
  const server = new SupervisedProcess({ name: 'gst-rtsp-server:sim', command: PYTHON, args, env, stopTimeoutMs: 3_000 });

  const stderr: string[] = [];
  server.on('stderrLine', (line) => {
    stderr.push(line);
    if (stderr.length > 30) stderr.shift();
  });
  const failure = (message: string, cause?: unknown) =>
    new DomainError('SIM_RTSP_START', `${message}${stderr.length ? `: ${stderr.join(' | ')}` : ''}`, { cause });

  const plays = new Map<string, number>();
  const ready = new Promise<number>((resolve, reject) => {
    server.on('stdoutLine', (line) => {
      try {
        const message = JSON.parse(line) as { ready?: boolean; port?: number; error?: string; play?: string | null };
        if (message.play !== undefined) plays.set(message.play ?? '', (plays.get(message.play ?? '') ?? 0) + 1);
        else if (message.ready && message.port) resolve(message.port);
        else if (message.error) reject(failure(message.error));
      } catch {
        // not a status line
      }
    });
    server.once('exit', (code, signal) => reject(failure(`RTSP server exited before it was ready (code ${code}, signal ${signal})`)));
    server.once('spawn', (child) => child.once('error', (cause) => reject(failure(`cannot start ${PYTHON}`, cause))));
  });
  server.start();
  const pid = server.pid;
  const deadline = opts.startTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const port = await Promise.race([
      ready,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(failure(`RTSP server not ready within ${deadline} ms`)), deadline);
      }),
    ]);
    await assertAnswersRtsp(port, Math.min(deadline, 10_000));
    if (pid === undefined) throw failure('RTSP server has no pid');
    let paused = false;
    return {
      port,
      pid,
      urlFor: (mount) => `rtsp://127.0.0.1:${port}${normaliseMount(mount)}`,
      plays: () => new Map(plays),
      pause: () => {
        if (server.running) process.kill(pid, 'SIGSTOP');
        paused = true;
      },
      resume: () => {
        if (server.running) process.kill(pid, 'SIGCONT');
        paused = false;
      },
      stop: async () => {
        // A stopped process would only see SIGTERM after the grace period's SIGKILL; let it exit cleanly.
        if (paused && server.running) process.kill(pid, 'SIGCONT');
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function normaliseMount(mount: string): string {
  const path = mount.startsWith('/') ? mount : `/${mount}`;
  if (!/^\/[A-Za-z0-9._~\-/]+$/.test(path)) throw new DomainError('SIM_RTSP_MOUNT', `invalid mount path: ${mount}`);
  return path;
}

/** An RTSP OPTIONS round trip: the server is listening and its main loop is running. */
function assertAnswersRtsp(port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (error?: Error) => {
      socket.destroy();
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => done(new DomainError('SIM_RTSP_START', `no RTSP reply on port ${port}`)), timeoutMs);
    socket.once('connect', () => socket.write(`OPTIONS rtsp://127.0.0.1:${port}/ RTSP/1.0\r\nCSeq: 1\r\n\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) {
        if (reply.startsWith('RTSP/1.0 ')) done();
        else done(new DomainError('SIM_RTSP_START', `unexpected RTSP reply: ${reply.slice(0, 80)}`));
      }
    });
    socket.once('error', (cause) => done(new DomainError('SIM_RTSP_START', `cannot connect to RTSP port ${port}`, { cause })));
  });
}
