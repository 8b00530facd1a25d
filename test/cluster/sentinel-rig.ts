import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../api/kernel/process/free-port.ts';
import { pingRedis } from '../../api/kernel/redis/private-redis.ts';
import { until } from '../relay/relay-fixtures.ts';

export const SENTINEL_MASTER = 'm';

interface Member {
  role: 'redis' | 'sentinel';
  port: number;
  child: ChildProcess;
}

/**
 * Redis behind Sentinel on loopback, as a city deploys it (small): one master, one replica (--replicaof) and
 * three sentinels (quorum 2), each a redis-server of the test's own in its own process group, with passwords
 * on the data nodes and on the sentinels. Every sentinel has its own config file (sentinels rewrite it).
 * destroy() kills them all with SIGKILL and removes the folder; an exit hook does the same if the run dies.
 */
export class SentinelRig {
  readonly password = randomBytes(12).toString('hex');
  readonly sentinelPassword = randomBytes(12).toString('hex');
  private readonly members: Member[] = [];
  private readonly exitHook = () => this.killAll();

  private constructor(readonly dir: string) {
    process.once('exit', this.exitHook);
  }

  static async start(): Promise<SentinelRig> {
    const rig = new SentinelRig(mkdtempSync(join(tmpdir(), 'hub-sentinel-')));
    try {
      const master = await rig.startRedis('master');
      await rig.startRedis('replica', master);
      for (let i = 0; i < 3; i++) await rig.startSentinel(i, master);
      await rig.settled();
    } catch (error) {
      await rig.destroy();
      throw error;
    }
    return rig;
  }

  get sentinels(): string[] {
    return this.members.filter((m) => m.role === 'sentinel').map((m) => `127.0.0.1:${m.port}`);
  }

  /** A client straight to one data node (never through Sentinel): what the test checks with. */
  direct(port: number): Redis {
    const client = new Redis({ port, host: '127.0.0.1', password: this.password, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on('error', () => { /* a dead node: the caller's command fails */ });
    return client;
  }

  /** Asks sentinel `index` a command (SENTINEL …). */
  async ask(index: number, ...args: string[]): Promise<unknown> {
    const port = this.members.filter((m) => m.role === 'sentinel')[index]!.port;
    const client = new Redis({ port, host: '127.0.0.1', password: this.sentinelPassword, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on('error', () => { /* the caller's command fails */ });
    try {
      await client.connect();
      return await client.call(...(args as [string, ...string[]]));
    } finally {
      client.disconnect();
    }
  }

  /** The master's port according to every sentinel, once they agree and it says role:master itself. */
  async master(): Promise<number> {
    const answers = await Promise.all([0, 1, 2].map((i) => this.ask(i, 'SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER).catch(() => null)));
    const ports = new Set(answers.map((a) => (Array.isArray(a) ? Number(a[1]) : 0)));
    if (ports.size !== 1 || ports.has(0)) return 0;
    const [port] = [...ports] as [number];
    return (await this.role(port)) === 'master' ? port : 0;
  }

  async role(port: number): Promise<string | undefined> {
    const client = this.direct(port);
    try {
      await client.connect();
      return /role:(\w+)/.exec(await client.info('replication'))?.[1];
    } catch {
      return undefined;
    } finally {
      client.disconnect();
    }
  }

  /** Every sentinel knows the other two and a replica that is in sync, so a failover can pick it. */
  async settled(timeoutMs = 60_000): Promise<void> {
    await until('sentinels see each other and a synced replica', async () => {
      for (const i of [0, 1, 2]) {
        const fields = await this.ask(i, 'SENTINEL', 'master', SENTINEL_MASTER).catch(() => []) as string[];
        const info = Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, k) => [fields[2 * k], fields[2 * k + 1]]));
        if (Number(info['num-other-sentinels']) < 2 || Number(info['num-slaves']) < 1 || !/^master$/.test(String(info.flags))) return false;
        const replicas = await this.ask(i, 'SENTINEL', 'replicas', SENTINEL_MASTER).catch(() => []) as string[][];
        const ok = replicas.some((r) => { const f = r.indexOf('master-link-status'); const g = r.indexOf('flags'); return r[f + 1] === 'ok' && r[g + 1] === 'slave'; });
        if (!ok) return false;
      }
      return true;
    }, timeoutMs, 250);
  }

  /** SIGKILL of one data node, as a machine dies. */
  crash(port: number): void {
    const member = this.members.find((m) => m.port === port)!;
    if (member.child.pid) process.kill(-member.child.pid, 'SIGKILL');
  }

  /** SIGSTOP / SIGCONT of one data node: alive but answering nothing (a stalled replica). */
  freeze(port: number, frozen: boolean): void {
    const member = this.members.find((m) => m.port === port)!;
    if (member.child.pid) process.kill(-member.child.pid, frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  /** The data nodes' ports that are not `master` (and have not died). */
  others(master: number): number[] {
    return this.members.filter((m) => m.role === 'redis' && m.port !== master && m.child.exitCode === null && m.child.signalCode === null).map((m) => m.port);
  }

  async destroy(): Promise<void> {
    this.killAll();
    await Promise.all(this.members.map((m) => (m.child.exitCode !== null || m.child.signalCode !== null ? undefined : new Promise((r) => m.child.once('exit', r)))));
    process.off('exit', this.exitHook);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private killAll(): void {
    for (const m of this.members) {
      try { if (m.child.pid) process.kill(-m.child.pid, 'SIGKILL'); } catch { /* gone already */ }
      try { if (m.child.pid) process.kill(-m.child.pid, 'SIGCONT'); } catch { /* gone already */ }
    }
  }

  private async startRedis(name: string, masterPort?: number): Promise<number> {
    const port = await freePort();
    const conf = join(this.dir, `${name}.conf`);
    writeFileSync(conf, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${this.dir}`, `dbfilename ${name}.rdb`, `appendfilename ${name}.aof`, `appenddirname ${name}-aof`,
      'appendonly yes', 'save ""', 'loglevel warning', `requirepass ${this.password}`, `masterauth ${this.password}`,
      ...(masterPort ? [`replicaof 127.0.0.1 ${masterPort}`] : []), '',
    ].join('\n'), { mode: 0o600 });
    this.spawn('redis', port, [conf]);
    await until(`redis ${name} on ${port}`, () => pingRedis(port, '127.0.0.1', 500, { password: this.password }), 15_000, 50);
    return port;
  }

  private async startSentinel(index: number, masterPort: number): Promise<void> {
    const port = await freePort();
    const conf = join(this.dir, `sentinel-${index}.conf`);
    writeFileSync(conf, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${this.dir}`, 'loglevel warning', `requirepass ${this.sentinelPassword}`,
      `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${masterPort} 2`, `sentinel auth-pass ${SENTINEL_MASTER} ${this.password}`,
      `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`, `sentinel failover-timeout ${SENTINEL_MASTER} 5000`,
      `sentinel parallel-syncs ${SENTINEL_MASTER} 1`, '',
    ].join('\n'), { mode: 0o600 });
    this.spawn('sentinel', port, [conf, '--sentinel']);
    await until(`sentinel ${index} on ${port}`, () => pingRedis(port, '127.0.0.1', 500, { password: this.sentinelPassword }), 15_000, 50);
  }

  private spawn(role: Member['role'], port: number, args: string[]): void {
    // Own process group (detached), so destroy() and crash() kill it whole; argv holds no password.
    const child = spawn('redis-server', args, { detached: true, stdio: 'ignore' });
    child.unref();
    this.members.push({ role, port, child });
  }
}
