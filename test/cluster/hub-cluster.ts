import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../api/kernel/process/free-port.ts';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/databases.ts';
import { descendantsOf, HubProcess, isAlive, waitGone } from '../faults/hub-process.ts';
import { PrivateRedisServer } from '../faults/private-redis-server.ts';
import { TEST_PASSWORD } from '../helpers/test-hub.ts';

// The test users' password, so the player's login page (browser-session.ts) logs the admin in.
export const CLUSTER_ADMIN_PASSWORD = TEST_PASSWORD;

/** What /api/v1/cluster/nodes answers. */
export interface ClusterState {
  nodeId: string;
  nodes: Array<{ id: string; url: string; load: number; capacity: number; freeLevel?: number }>;
  ownedCameras: string[];
}

/** One hub node: a CLI process of its own (as operators run it), its data folder, its id. */
export interface ClusterMember {
  id: string;
  process: HubProcess;
  url: string;
  token: string;
  dataDir: string;
  alive: boolean;
  /** The variables this node got on top of the cluster's. */
  env: Record<string, string>;
}

/**
 * N hub nodes as separate processes on loopback ports, on one fresh PostgreSQL database and one private
 * redis-server, sharing the secrets a cluster shares. The first node starts alone (it migrates the
 * database and creates the admin); the others join after it.
 */
export class HubCluster {
  readonly members: ClusterMember[] = [];
  private readonly strays: Array<{ pid: number; command: string }> = [];

  private constructor(readonly database: ScratchDatabase, readonly redis: PrivateRedisServer, private readonly shared: Record<string, string>) {}

  /** `nodeEnv` adds per-node variables (e.g. each node's own SIP port), by the node's index. */
  static async start(size: number, extraEnv: Record<string, string> = {}, nodeEnv?: (index: number) => Promise<Record<string, string>>): Promise<HubCluster> {
    const database = await createScratchDatabase('postgres');
    const redis = await PrivateRedisServer.create();
    const shared = {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HUB_LOG_LEVEL: 'warn',
      HUB_DATABASE_URL: database.url, HUB_REDIS_URL: redis.url, HUB_HTTP_HOST: '127.0.0.1',
      HUB_AUTH_TOKEN_SECRET: randomBytes(32).toString('base64url'), HUB_CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString('base64url'), HUB_AUDIT_CHAIN_KEY: randomBytes(32).toString('base64url'),
      HUB_ADMIN_PASSWORD: CLUSTER_ADMIN_PASSWORD, HUB_SHUTDOWN_GRACE_MS: '5000', HUB_HTTP_OUTBOUND_ALLOWED_NETWORKS: '127.0.0.0/8',
      HUB_CLUSTER_ENABLED: 'true', ...extraEnv,
    };
    const cluster = new HubCluster(database, redis, shared);
    try {
      await cluster.addNode(await nodeEnv?.(0));
      await Promise.all(Array.from({ length: size - 1 }, async (_, i) => cluster.addNode(await nodeEnv?.(i + 1))));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  async addNode(env: Record<string, string> = {}): Promise<ClusterMember> {
    const id = `node-${this.members.length + 1}-${randomBytes(2).toString('hex')}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-cluster-node-'));
    const port = await freePort();
    const member = { id, dataDir, alive: false, env } as ClusterMember;
    this.members.push(member);
    // Up to 3 minutes: three node processes compile and start at once on a shared 2-core machine.
    member.process = await HubProcess.start({ ...this.shared, ...env, HUB_DATA_DIR: dataDir, HUB_HTTP_PORT: String(port), HUB_CLUSTER_NODE_ID: id }, 180_000);
    member.url = member.process.url;
    member.alive = true;
    member.token = await member.process.login(CLUSTER_ADMIN_PASSWORD);
    return member;
  }

  get live(): ClusterMember[] {
    return this.members.filter((m) => m.alive);
  }

  /** kill -9 of a node as a machine failure is: the process and its children (ffmpeg) at once, no goodbye. */
  async crash(member: ClusterMember): Promise<void> {
    const children = descendantsOf(member.process.pid);
    this.strays.push(...children);
    member.alive = false;
    process.kill(member.process.pid, 'SIGKILL');
    for (const child of children) if (isAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
    await member.process.exited;
    await waitGone(children, 5_000);
  }

  async state(member: ClusterMember): Promise<ClusterState> {
    return (await member.process.api(member.token, '/api/v1/cluster/nodes')).body as ClusterState;
  }

  /** Camera pulls running on each live node (GET /api/v1/relay/streams). */
  async pulls(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    await Promise.all(this.live.map(async (m) => {
      const streams = (await m.process.api(m.token, '/api/v1/relay/streams')).body as Array<{ streamId: string; state: string; hlsReady: boolean }>;
      out.set(m.id, streams.filter((s) => s.state !== 'stopping').map((s) => s.streamId));
    }));
    return out;
  }

  async stop(): Promise<void> {
    // All at once: one by one, each leaving node would hand its cameras to the ones still up.
    await Promise.all(this.members.filter((m) => m.process && m.alive).map(async (member) => {
      member.alive = false;
      member.process.child.kill('SIGTERM');
      const exit = await Promise.race([member.process.exited, new Promise((r) => setTimeout(r, 15_000, 'timeout'))]);
      if (exit === 'timeout') await member.process.kill();
    }));
    for (const stray of this.strays) if (isAlive(stray.pid)) process.kill(stray.pid, 'SIGKILL');
    await this.redis.destroy();
    await this.database.drop();
    for (const member of this.members) rmSync(member.dataDir, { recursive: true, force: true });
  }
}
