import type { AuthUser } from '../../api/kernel/auth/token-service.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { CameraAdoption } from '../../ingest/discovery/camera-adoption.ts';
import type { CandidateStore } from '../../ingest/discovery/candidate-store.ts';
import { probe } from '../../ingest/discovery/ws-discovery.ts';
import type { CameraRegistry } from '../../ingest/registry/camera-registry.ts';
import { startSimulatedCameras, type SimulatedCameras } from '../sim/sim-cameras.ts';
import { ensureDemoAccounts, type DemoDepartment } from './demo-accounts.ts';

/** Where the demo's cameras stand: around People's Square, Shanghai. */
const CITY_CENTRE = { lat: 31.2304, lon: 121.4737 };
const ADOPT_CONCURRENCY = 4;
/**
 * One traffic camera streams the 'plates' clip (1080p, known plates) with analytics on, so the checkpoint
 * pages fill with passes; the 640x360 'small' clip of the other cameras is too small to read a plate from.
 */
const CHECKPOINT_CAMERA_PREFIX = 'Demo checkpoint camera';

/**
 * The demo camera's national device code (GB/T 28181 DeviceID): centre 31010100 (Huangpu, Shanghai),
 * industry 00, type 132 (IP camera), network 0, then a serial from the simulator's name ("Demo camera 7" →
 * 000007, the checkpoint camera 9000xx), so it is the same on every run.
 */
export function demoNationalId(simName: string): string {
  const number = Number(/(\d+)$/.exec(simName)?.[1] ?? 0) + (simName.startsWith(CHECKPOINT_CAMERA_PREFIX) ? 900_000 : 0);
  return `31010100` + `00` + `132` + `0` + String(number % 1_000_000).padStart(6, '0');
}

/**
 * The demo: simulated cameras started, discovered over WS-Discovery (unicast to their ports) and adopted
 * through the same code path as a real device, spread over three departments. Runs in the background
 * after start() so the API is up at once; progress goes to the log. A camera of an earlier demo run is the
 * same simulated device again (same maker and serial), so adoption refreshes it in place: it keeps its id,
 * national code, passes, crops and grants (issue 17). Demo cameras this run did not adopt again are removed.
 */
export class DemoCameras {
  private sim: SimulatedCameras | undefined;
  private checkpointSim: SimulatedCameras | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lines: string[] = [];

  constructor(private readonly ctx: HubContext, private readonly registry: CameraRegistry, private readonly candidates: CandidateStore, private readonly adoption: CameraAdoption) {}

  async start(): Promise<void> {
    const { departments, logins } = await ensureDemoAccounts(this.ctx);
    this.lines = [
      `  demo: ${this.ctx.config.demo.sampleCameras} simulated cameras are being discovered and adopted (see the log)`,
      ...logins.map((l) => `  demo login (${l.department}, ${l.role}): ${l.username} / ${l.password}`),
    ];
    this.running = this.run(departments).catch((error: unknown) => this.ctx.log.error({ err: error }, 'demo cameras failed'));
  }

  startupLines(): string[] {
    return this.lines;
  }

  /** Resolves when the background set-up is done (tests, bench). */
  async settled(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    await Promise.all([this.sim?.stop(), this.checkpointSim?.stop()]);
    this.sim = undefined;
    this.checkpointSim = undefined;
  }

  private async run(departments: DemoDepartment[]): Promise<void> {
    const { log, config } = this.ctx;
    const started = Date.now();
    const earlier = new Set(await this.ctx.cameras.ids({ source: 'demo' }));
    log.info({ count: config.demo.sampleCameras }, 'demo: starting simulated cameras');
    const smallCount = config.demo.sampleCameras - 1;
    // One after the other, each kept as soon as it runs, so stop() ends whatever did start.
    this.checkpointSim = await startSimulatedCameras({ count: 1, preset: 'plates', targetsFile: false, namePrefix: CHECKPOINT_CAMERA_PREFIX });
    if (this.stopped) return;
    if (smallCount > 0) this.sim = await startSimulatedCameras({ count: smallCount, preset: 'small', targetsFile: false, namePrefix: 'Demo camera' });
    if (this.stopped) return;
    const sims = [this.checkpointSim, this.sim].filter((sim) => sim !== undefined);
    const targets = sims.flatMap((sim) => sim.cameras).map((c) => ({ host: c.discovery.host, port: c.discovery.port }));
    const result = await probe({ targets, multicast: false, timeoutMs: config.ingest.discoveryTimeoutMs, log });
    const rows = await this.candidates.upsert(result.devices);
    log.info({ discovered: rows.length }, 'demo: simulated cameras discovered');
    const admin = await this.adminUser();
    // Every candidate of this run: a device adopted by an earlier run is at a new address now and is adopted again.
    const queue = [...rows];
    const seen = new Set<string>();
    const isCheckpoint = (row: (typeof rows)[number]) => (row.name ?? '').startsWith(CHECKPOINT_CAMERA_PREFIX);
    const traffic = departments.find((d) => d.category === 'traffic') ?? departments[0]!;
    // The other cameras go round the departments starting with the non-traffic ones, so even three cameras cover all three.
    const others = rows.filter((row) => !isCheckpoint(row));
    const rotation = [...departments.filter((d) => d !== traffic), traffic];
    let adopted = 0;
    const worker = async () => {
      for (let row = queue.shift(); row && !this.stopped; row = queue.shift()) {
        const index = rows.indexOf(row);
        const checkpoint = isCheckpoint(row);
        const department = checkpoint ? traffic : rotation[others.indexOf(row) % rotation.length]!;
        const angle = (index * 137.5 * Math.PI) / 180;
        const radius = 0.01 + 0.004 * Math.sqrt(index);
        try {
          const { camera } = await this.adoption.adopt(row.id, {
            departmentId: department.id, category: department.category, name: row.name ?? undefined, nationalId: demoNationalId(row.name ?? ''),
            lat: CITY_CENTRE.lat + radius * Math.sin(angle), lon: CITY_CENTRE.lon + radius * Math.cos(angle),
            username: this.checkpointSim!.username, password: this.checkpointSim!.password,
            analyticsEnabled: checkpoint || others.indexOf(row) % 4 === 0, source: 'demo',
          }, admin);
          seen.add(camera.id);
          adopted++;
        } catch (error) {
          // Already this camera at this very address: it is in use, not gone.
          if (row.adopted_camera_id && (error as { code?: string }).code === 'CANDIDATE_ALREADY_ADOPTED') seen.add(row.adopted_camera_id);
          else log.warn({ err: error, candidate: row.id }, 'demo: adoption failed');
        }
      }
    };
    await Promise.all(Array.from({ length: ADOPT_CONCURRENCY }, worker));
    if (this.stopped) return;
    // Cameras of an earlier run with more simulated cameras point at simulators that are gone.
    for (const id of earlier) if (!seen.has(id)) await this.registry.remove(id);
    log.info({ adopted, seconds: (Date.now() - started) / 1000 }, 'demo: simulated cameras adopted');
  }

  private async adminUser(): Promise<AuthUser> {
    const row = await this.ctx.db.selectFrom('users').select(['id', 'username', 'department_id', 'role']).where('role', '=', 'admin').orderBy('created_at').executeTakeFirstOrThrow();
    return { id: row.id, username: row.username, departmentId: row.department_id, role: row.role, dutyOfficer: false };
  }
}
