import { randomBytes } from 'node:crypto';
import type { HubContext } from '../../api/hub/hub-context.ts';
import { deviceCode, TYPE_TOLLGATE_DEVICE } from '../sim/gat1400/viid-codes.ts';
import { SimulatedTollgateDevice } from '../sim/gat1400/simulated-tollgate-device.ts';

/** How the demo lets a simulated device register (the viid feature's peer store, as an admin would). */
export type AllowDevicePeer = (peer: { id: string; name: string; departmentId: string; password: string }) => Promise<void>;

const PUSH_EVERY_MS = 6_000;

/**
 * A few simulated GA/T 1400 卡口 devices for the demo: each is allowed as a peer of the (demo's) traffic department,
 * registers with digest against this hub's own /VIID, keeps alive, and pushes a vehicle (with its plate
 * picture) every few seconds, so the checkpoint pages show their passes next to those of our own analytics.
 * Runs in the background; the hub may not be listening yet, so registration is retried.
 */
export class DemoTollgates {
  private readonly devices: SimulatedTollgateDevice[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly ctx: HubContext, private readonly count: number, private readonly allow: AllowDevicePeer) {}

  start(): void {
    if (this.count <= 0) return;
    this.running = this.run().catch((error: unknown) => this.ctx.log.error({ err: error }, 'demo 卡口 devices failed'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    await Promise.all(this.devices.map((device) => device.stop()));
  }

  private async run(): Promise<void> {
    // The demo's departments come from the demo cameras (ingest feature); wait for the traffic one.
    let traffic: { id: string } | undefined;
    for (let attempt = 0; attempt < 60 && !this.stopped && !traffic; attempt++) {
      traffic = await this.ctx.db.selectFrom('departments').select('id').where('kind', '=', 'traffic').orderBy('created_at').executeTakeFirst();
      if (!traffic) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    if (!traffic) {
      this.ctx.log.warn('demo: no traffic department; the simulated 卡口 devices are not started');
      return;
    }
    // The devices talk to this hub's own /VIID: its address is known only once it listens (start() runs before).
    while (!this.ctx.publicUrl() && !this.stopped) await new Promise((resolve) => setTimeout(resolve, 250));
    const area = this.ctx.config.viid.civilCode;
    for (let i = 0; i < this.count && !this.stopped; i++) {
      const id = deviceCode(area, TYPE_TOLLGATE_DEVICE, 9_000_001 + i);
      // A fresh password each run: the peer is (re)allowed with it, so nothing needs to be remembered.
      const password = randomBytes(12).toString('base64url');
      await this.allow({ id, name: `演示卡口 ${i + 1}`, departmentId: traffic.id, password });
      this.devices.push(new SimulatedTollgateDevice({ baseUrl: this.ctx.publicUrl(), id, password, keepaliveMs: 30_000 }));
    }
    for (let attempt = 0; attempt < 30 && !this.stopped; attempt++) {
      const pending = this.devices.filter((device) => !device.client.registered);
      if (pending.length === 0) break;
      await Promise.all(pending.map((device) => device.start().catch(() => {})));
      if (this.devices.every((device) => device.client.registered)) break;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    if (this.stopped) return;
    const registered = this.devices.filter((device) => device.client.registered).length;
    if (registered < this.devices.length) this.ctx.log.warn({ devices: this.devices.length, registered }, 'demo: some simulated 卡口 devices could not register; those stay silent');
    else this.ctx.log.info({ devices: registered }, 'demo: simulated GA/T 1400 卡口 devices registered and pushing');
    let next = 0;
    this.timer = setInterval(() => {
      const live = this.devices.filter((device) => device.client.registered);
      const device = live[next++ % Math.max(1, live.length)];
      device?.push(1).catch((error: unknown) => this.ctx.log.warn({ err: error }, 'demo 卡口 push failed'));
    }, PUSH_EVERY_MS / Math.max(1, this.devices.length));
    this.timer.unref();
  }
}
