import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { HubError } from '../errors/hub-error.ts';
import { ensurePrivateDirSync, PRIVATE_FILE_MODE } from '../fs/private-files.ts';
import { freePort } from '../process/free-port.ts';
import { SupervisedProcess } from '../process/supervised-process.ts';

export interface PrivateRedis {
  /** redis://:<password>@127.0.0.1:<port>: hand it to clients, never to a log. */
  url: string;
  port: number;
  process: SupervisedProcess;
  stop(): Promise<void>;
}

/** One RESP command (an array of bulk strings), so any password byte is sent as it is. */
const resp = (...parts: string[]) => `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;

/**
 * Sends PING over a raw socket (AUTH first when a password is given); true when Redis answers +PONG,
 * false on an error reply (e.g. NOAUTH, WRONGPASS), a refused connection or silence.
 */
export function pingRedis(port: number, host = '127.0.0.1', timeoutMs = 500, auth?: { username?: string; password: string }): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ port, host });
    let replies = '';
    const finish = (ok: boolean) => { socket.destroy(); done(ok); };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => {
      const login = auth ? resp('AUTH', ...(auth.username ? [auth.username] : []), auth.password) : '';
      socket.write(login + resp('PING'));
    });
    socket.on('data', (data) => {
      replies += data.toString();
      if (replies.includes('+PONG')) finish(true);
      else if (/^-|\r\n-/.test(replies)) finish(false);
    });
  });
}

/** The AUTH a redis:// URL carries (user and password are percent-encoded there), if any. */
export function redisAuthOf(url: URL): { username?: string; password: string } | undefined {
  if (!url.password) return undefined;
  return { username: url.username ? decodeURIComponent(url.username) : undefined, password: decodeURIComponent(url.password) };
}

/**
 * A redis-server of the hub's own on a free loopback port, data (append-only file, so queued work
 * survives a restart) under <dataDir>/redis. Restarted with backoff if it dies; stopped with the hub.
 * It asks for a password, so another local user cannot read or inject queued passes and frames: a fresh
 * random one each start, in a 0600 config file in the private folder (argv would show it to everyone).
 */
export async function startPrivateRedis(options: { dataDir: string; serverPath?: string; logger?: Logger; port?: number }): Promise<PrivateRedis> {
  const dir = resolve(options.dataDir, 'redis');
  ensurePrivateDirSync(dir);
  const port = options.port ?? (await freePort());
  const password = randomBytes(24).toString('base64url');
  const configFile = join(dir, 'redis.conf');
  writeFileSync(configFile, `requirepass ${password}\n`, { mode: PRIVATE_FILE_MODE });
  const proc = new SupervisedProcess({
    name: 'redis-server',
    command: options.serverPath ?? 'redis-server',
    args: [
      configFile, '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', dir,
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
  while (!(await pingRedis(port, '127.0.0.1', 500, { password }))) {
    if (Date.now() > deadline || (!proc.running && proc.restarts > 3)) {
      await proc.stop();
      throw new HubError('REDIS_START_FAILED', `private redis-server did not start on port ${port}: ${stderr.slice(-5).join(' | ') || 'no output (is redis-server installed? run scripts/setup.sh)'}`, 500);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://:${password}@127.0.0.1:${port}`, port, process: proc, stop: () => proc.stop() };
}
