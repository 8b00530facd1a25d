import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { freePort } from '../../api/kernel/process/free-port.ts';

export const ADMIN_PASSWORD = 'fault suite admin password 42';

/** Secrets and a data dir for a hub started through the CLI; the same env restarts it on the same data. */
export async function hubEnv(dataDir: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp',
    HUB_DATA_DIR: dataDir, HUB_HTTP_PORT: String(await freePort()), HUB_LOG_LEVEL: 'warn',
    HUB_AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'), HUB_CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
    HUB_ADMIN_PASSWORD: ADMIN_PASSWORD, HUB_SHUTDOWN_GRACE_MS: '5000', ...extra,
  };
}

/** `node --import tsx api/hub/cli.ts start` as a child process, the way operators run the hub. */
export class HubProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess, readonly url: string) {
    child.stdout!.on('data', (d) => { this.stdout += d; });
    child.stderr!.on('data', (d) => { this.stderr += d; });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static async start(env: Record<string, string>, timeoutMs = 90_000): Promise<HubProcess> {
    const child = spawn('node', ['--import', 'tsx', 'api/hub/cli.ts', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const hub = new HubProcess(child, `http://127.0.0.1:${env.HUB_HTTP_PORT}`);
    const deadline = Date.now() + timeoutMs;
    while (!hub.stdout.includes('Press Ctrl+C')) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`hub did not start: ${hub.stderr.slice(-2_000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return hub;
  }

  get pid(): number {
    return this.child.pid!;
  }

  async login(password = ADMIN_PASSWORD): Promise<string> {
    const res = await fetch(`${this.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
    return body.token as string;
  }

  async api(token: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST', headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Ends the process for sure (test cleanup). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** Every descendant of `pid` (children, grandchildren…) with its command name. */
export function descendantsOf(pid: number): Array<{ pid: number; command: string }> {
  const out = spawnSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' });
  const rows = out.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((r) => r.length >= 3)
    .map(([p, pp, ...comm]) => ({ pid: Number(p), ppid: Number(pp), command: comm.join(' ') }));
  const found = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const row of rows) if (found.has(row.ppid) && !found.has(row.pid)) { found.add(row.pid); grew = true; }
  }
  return rows.filter((r) => r.pid !== pid && found.has(r.pid)).map(({ pid: p, command }) => ({ pid: p, command }));
}

export const isAlive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

/** Waits (bounded) until none of `pids` is alive; returns those still alive. */
export async function waitGone(pids: Array<{ pid: number; command: string }>, timeoutMs: number): Promise<Array<{ pid: number; command: string }>> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some((p) => isAlive(p.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return pids.filter((p) => isAlive(p.pid));
}
