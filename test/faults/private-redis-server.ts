import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../api/kernel/process/free-port.ts';
import { pingRedis } from '../../api/kernel/redis/private-redis.ts';

/**
 * A redis-server of the test's own (the machine's shared Redis is never stopped), persistent like the
 * hub's private one (append-only file), restartable on the same port and data.
 */
export class PrivateRedisServer {
  private child: ChildProcess | undefined;

  private constructor(readonly dir: string, readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<PrivateRedisServer> {
    const server = new PrivateRedisServer(mkdtempSync(join(tmpdir(), 'hub-faults-redis-')), await freePort());
    await server.start();
    return server;
  }

  async start(timeoutMs = 15_000): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--loglevel', 'warning'], { stdio: 'ignore' });
    const deadline = Date.now() + timeoutMs;
    while (!(await pingRedis(this.port))) {
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`redis-server did not start on ${this.port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the server with `signal` (SIGTERM = orderly stop, SIGKILL = crash) and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
