import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../api/kernel/process/free-port.ts';
import { configLeaves } from '../../api/hub/load-config.ts';

const cli = ['--import', 'tsx', 'api/hub/cli.ts'];
const dirs: string[] = [];
afterAll(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });

function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  return { ...env, ...extra };
}

/** Child processes of `pid` with their command names, to prove none outlives the hub. */
function childrenOf(pid: number): Array<{ pid: number; command: string }> {
  const out = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' });
  return out.stdout.split('\n').map((line) => line.trim().split(/\s+/)).filter((parts) => parts[0])
    .map(([id, command]) => ({ pid: Number(id), command }));
}

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

describe('hub command line', () => {
  it('--help documents every option', () => {
    const result = spawnSync('node', [...cli, '--help'], { encoding: 'utf8', env: baseEnv() });
    expect(result.status).toBe(0);
    for (const leaf of configLeaves()) expect(result.stdout).toContain(leaf.envName);
    expect(result.stdout).toContain('demo');
  });

  it('refuses to start without secrets, with a clear message', () => {
    const result = spawnSync('node', [...cli, 'start'], { encoding: 'utf8', env: baseEnv(), timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('auth.tokenSecret is required');
    expect(result.stderr).toContain('HUB_AUTH_TOKEN_SECRET');
  });

  it('starts with a private Redis, prints the admin login, and on SIGTERM stops gracefully with exit 0 and no children left', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-cli-'));
    dirs.push(dataDir);
    const port = await freePort();
    const child = spawn('node', [...cli, 'start'], {
      env: baseEnv({
        HUB_DATA_DIR: dataDir, HUB_HTTP_PORT: String(port), HUB_LOG_LEVEL: 'warn',
        HUB_AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'), HUB_CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!stdout.includes('Press Ctrl+C')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`hub did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stdout).toMatch(/admin login: admin \/ [A-Za-z0-9]{20}/);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const ready = await (await fetch(`http://127.0.0.1:${port}/readyz`)).json();
    expect(ready.checks.find((c: { name: string }) => c.name === 'redis').ok).toBe(true);
    const kids = childrenOf(child.pid!);
    expect(kids.map((k) => k.command)).toContain('redis-server');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // tsx's esbuild helper leaves when its pipe closes, a moment after node exits; give it that moment.
    const until = Date.now() + 3_000;
    while (kids.some((k) => alive(k.pid)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    for (const kid of kids) expect(alive(kid.pid), `${kid.command} (${kid.pid}) outlived the hub`).toBe(false);
  });
});
