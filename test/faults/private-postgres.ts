import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../api/kernel/process/free-port.ts';

/**
 * A PostgreSQL cluster of the test's own (never the machine's shared one), so it can be killed with -9.
 * As root the server must run as the `postgres` OS user; the cluster lives in a temp dir owned by it,
 * trust auth on loopback, own port and socket dir.
 */
export class PrivatePostgres {
  private child: ChildProcess | undefined;

  private constructor(readonly dir: string, readonly port: number, private readonly bin: string) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static available(): boolean {
    return findBin() !== undefined;
  }

  static async create(): Promise<PrivatePostgres> {
    const bin = findBin();
    if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
    const dir = mkdtempSync(join(tmpdir(), 'hub-faults-pg-'));
    chmodSync(dir, 0o700);
    const uid = asRoot() ? idOf('-u') : undefined;
    if (uid !== undefined) chownSync(dir, uid, idOf('-g')!);
    const init = spawnSync(...asPostgres(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']), { encoding: 'utf8', timeout: 60_000 });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error}`);
    const server = new PrivatePostgres(dir, await freePort(), bin);
    await server.start();
    return server;
  }

  /** Starts the server (again, after a crash) and waits until it accepts connections. */
  async start(timeoutMs = 60_000): Promise<void> {
    const args = ['-D', join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on', '-c', 'max_connections=40'];
    // detached: its own process group, so kill() reaches the postmaster and every backend at once.
    const log = openSync(join(this.dir, 'server.log'), 'a');
    const child = spawn(...asPostgres(join(this.bin, 'postgres'), args), { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1_000 });
      try {
        await client.connect();
        await client.query('select 1');
        await client.end();
        return;
      } catch {
        await client.end().catch(() => {});
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`private PostgreSQL did not start on ${this.port}: ${readFileSync(join(this.dir, 'server.log'), 'utf8').slice(-1_500)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** kill -9 of the whole server (postmaster and backends): a crash, no shutdown checkpoint. */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null) return;
    // The postmaster and every backend (runuser may put them in a session of their own, so by pid too):
    // a server crash, and no old backend left holding the shared memory that would block the restart.
    const server = descendantsOf(child.pid);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* group already gone */ }
    for (const pid of server) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    await exited;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && server.some(isAlive)) await new Promise((r) => setTimeout(r, 50));
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid, 'SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function findBin(): string | undefined {
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
    return versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((dir) => readdirSync(dir).includes('postgres'));
  } catch {
    return undefined;
  }
}

const asRoot = () => process.getuid?.() === 0;

function idOf(flag: '-u' | '-g'): number | undefined {
  const out = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  return out.status === 0 ? Number(out.stdout.trim()) : undefined;
}

function asPostgres(command: string, args: string[]): [string, string[]] {
  return asRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

const isAlive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

/** Pids of every descendant of `pid`. */
function descendantsOf(pid: number): number[] {
  const out = spawnSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' });
  const rows = out.stdout.split('\n').map((l) => l.trim().split(/\s+/).map(Number)).filter((r) => r.length === 2);
  const found = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, pp] of rows) if (found.has(pp) && !found.has(p)) { found.add(p); grew = true; }
  }
  found.delete(pid);
  return [...found];
}
