import { randomBytes } from 'node:crypto';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { GbDeviceRepository } from '../../ingest/gb28181/gb-device-repository.ts';
import { mediaIpOf, type GbSipServer } from '../../ingest/gb28181/gb-sip-server.ts';
import { buildPresetClip } from '../sim/clip-presets.ts';
import { clipAccessUnits } from '../sim/gb28181/h264-access-units.ts';
import { SimGbDevice } from '../sim/gb28181/sim-gb-device.ts';

export const DEMO_NVR_ID = '34020000001180000001';

/**
 * The demo's GB/T 28181 NVR: a simulated NVR owned by the community department registers to the hub's
 * SIP server with its own password and streams its channels on demand, through the same path a real NVR takes.
 */
export class DemoGbNvr {
  private sim: SimGbDevice | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly ctx: HubContext, private readonly server: GbSipServer, private readonly devices: GbDeviceRepository, private readonly channels: number) {}

  /** Adds the NVR for the community department (awaited), then starts the simulator in the background. */
  async start(): Promise<void> {
    const community = await this.ctx.directory.ensureDepartment({ name: 'Riverside Community', kind: 'community', isGovernment: false });
    const password = randomBytes(12).toString('base64url');
    const now = Date.now();
    if (await this.devices.find(DEMO_NVR_ID)) await this.devices.update(DEMO_NVR_ID, { department_id: community.id, category: 'community', name: '演示NVR 滨江社区' }, password);
    else {
      await this.devices.insert({
        id: DEMO_NVR_ID, department_id: community.id, category: 'community', name: '演示NVR 滨江社区', charset: 'GB2312', transport: 'udp', stream_mode: 'udp', address: null, port: null,
        status: 'unknown', register_call_id: null, expires_s: null, registered_at: null, last_keepalive_at: null, manufacturer: null, model: null, firmware: null,
        created_at: now, updated_at: now,
      }, password);
    }
    this.running = this.run(password).catch((error: unknown) => this.ctx.log.error({ err: error }, 'demo: GB/T 28181 NVR failed'));
  }

  private async run(password: string): Promise<void> {
    const units = await clipAccessUnits(await buildPresetClip('small'));
    if (this.stopped) return;
    const { serverId, domain } = this.ctx.config.gb28181;
    this.sim = new SimGbDevice({
      server: { host: mediaIpOf(this.ctx.config.gb28181), port: this.server.port, id: serverId, domain }, deviceId: DEMO_NVR_ID, password, units, fps: 15,
      keepaliveSeconds: Math.min(60, this.ctx.config.gb28181.keepaliveIntervalSeconds),
      channels: Array.from({ length: this.channels }, (_, i) => ({
        id: `340200000013100000${String(i + 1).padStart(2, '0')}`, name: `滨江社区 ${['东门', '南门', '西门', '北门', '广场', '车库'][i % 6]}${i >= 6 ? i + 1 : ''}`,
        address: `滨江路${i + 1}号`, lat: 31.2304 - 0.012 + i * 0.002, lon: 121.4737 + 0.015, ptzType: i === 0 ? 1 : 3,
      })),
    });
    await this.sim.start();
    this.ctx.log.info({ deviceId: DEMO_NVR_ID, channels: this.channels }, 'demo: simulated GB/T 28181 NVR registered');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    this.sim?.kill();
  }
}
