import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { HubError } from '../errors/hub-error.ts';
import { ensurePrivateDirSync } from '../fs/private-files.ts';
import { freePort } from '../process/free-port.ts';
import { SupervisedProcess } from '../process/supervised-process.ts';

export interface PrivateRedis {
  url: string;
  port: number;
  process: SupervisedProcess;
  stop(): Promise<void>;
}

/** Sends PING over a raw socket; true when Redis answers +PONG. */
export function pingRedis(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ port, host });
    const finish = (ok: boolean) => { socket.destroy(); done(ok); };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}

/**
 * A redis-server of the hub's own on a free loopback port, data (append-only file, so queued work
 * survives a restart) under <dataDir>/redis. Restarted with backoff if it dies; stopped with the hub.
 */
export async function startPrivateRedis(options: { dataDir: string; serverPath?: string; logger?: Logger; port?: number }): Promise<PrivateRedis> {
  const dir = resolve(options.dataDir, 'redis');
  ensurePrivateDirSync(dir);
  const port = options.port ?? (await freePort());
  const proc = new SupervisedProcess({
    name: 'redis-server',
    command: options.serverPath ?? 'redis-server',
    args: [
      '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', dir,
      '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no', '--loglevel', 'warning',
    ],
    restart: { initialDelayMs: 200, maxDelayMs: 5_000 },
    stopTimeoutMs: 5_000,
    logger: options.logger,
  });
  const stderr: string[] = [];
  proc.on('stderrLine', (line) => stderr.push(line));
  proc.on('stdoutLine', (line) => { if (stderr.length < 50) stderr.push(line); });
  proc.start();
  const deadline = Date.now() + 10_000;
  while (!(await pingRedis(port))) {
    if (Date.now() > deadline || (!proc.running && proc.restarts > 3)) {
      await proc.stop();
      throw new HubError('REDIS_START_FAILED', `private redis-server did not start on port ${port}: ${stderr.slice(-5).join(' | ') || 'no output (is redis-server installed? run scripts/setup.sh)'}`, 500);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, port, process: proc, stop: () => proc.stop() };
}
