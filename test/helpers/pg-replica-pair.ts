import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, chownSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/** A loopback port nobody listens on right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ReplicaPair {
  /** postgres://…/hub on the primary and on its streaming replica. */
  primaryUrl: string;
  replicaUrl: string;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL 15 primary and a streaming replica of it (pg_basebackup -R), each its own server on a free
 * loopback port in a temporary folder, run as the postgres user. Not the machine's shared server: its
 * pg_hba.conf has no replication entry, and a test must not change it. Both run in their own process
 * group and are stopped as a group; the folder is removed.
 */
export async function startReplicaPair(): Promise<ReplicaPair> {
  const dir = mkdtempSync(join(tmpdir(), 'pg-pair-'));
  const postgresUid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  chownSync(dir, postgresUid, statSync(dir).gid);
  const asPostgres = (file: string, args: string[], timeout = 120_000) => run('runuser', ['-u', 'postgres', '--', join(BIN, file), ...args], { timeout });
  const servers: ChildProcess[] = [];
  const startServer = async (data: string, port: number) => {
    const child = spawn('runuser', ['-u', 'postgres', '--', join(BIN, 'postgres'), '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'], { detached: true, stdio: 'ignore' });
    servers.push(child);
    for (let i = 0; i < 300; i++) {
      try {
        await run(join(BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { timeout: 5_000 });
        return;
      } catch { await new Promise((r) => setTimeout(r, 200)); }
    }
    throw new Error(`postgres on port ${port} did not start`);
  };
  const stop = async () => {
    for (const child of servers) {
      if (child.exitCode !== null || child.pid === undefined) continue;
      const exited = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGINT'); } catch { /* gone */ }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const primaryPort = await freePort();
    await asPostgres('initdb', ['-D', join(dir, 'primary'), '-U', 'postgres', '--auth=trust', '--no-sync']);
    await startServer(join(dir, 'primary'), primaryPort);
    const admin = new pg.Client({ host: '127.0.0.1', port: primaryPort, user: 'postgres', database: 'postgres' });
    await admin.connect();
    await admin.query('create database hub');
    await admin.end();
    // initdb's pg_hba.conf (auth trust) admits replication connections from loopback.
    await asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', join(dir, 'replica'), '-R', '-X', 'stream']);
    const replicaPort = await freePort();
    await startServer(join(dir, 'replica'), replicaPort);
    return {
      primaryUrl: `postgres://postgres@127.0.0.1:${primaryPort}/hub`,
      replicaUrl: `postgres://postgres@127.0.0.1:${replicaPort}/hub`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
