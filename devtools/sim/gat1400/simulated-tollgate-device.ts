import { DomainError } from '../../../api/kernel/errors/domain-error.ts';
import { motorVehicleList, VehicleFactory, type VehicleOptions } from './vehicle-factory.ts';
import { ViidPeerClient, type ViidPeerOptions, type ViidReply } from './viid-peer-client.ts';

export interface PushResult {
  ms: number;
  status: number;
  objects: number;
  /** Entries with StatusCode 0. */
  accepted: number;
  reply: ViidReply;
}

export interface SimulatedTollgateDeviceOptions extends ViidPeerOptions, Omit<VehicleOptions, 'deviceId'> {
  keepaliveMs?: number;
  /** How long start() retries a registration answered busy (429). */
  registerRetryMs?: number;
}

/**
 * A 卡口 (checkpoint) capture device speaking GA/T 1400: registers with digest (again after a busy answer's
 * Retry-After), keeps alive on a timer
 * (re-registering when the server forgot it), and pushes MotorVehicle batches with base64 plate pictures.
 */
export class SimulatedTollgateDevice {
  readonly client: ViidPeerClient;
  readonly vehicles: VehicleFactory;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  keepalives = 0;
  lastKeepaliveStatus = 0;

  constructor(private readonly options: SimulatedTollgateDeviceOptions) {
    this.client = new ViidPeerClient(options);
    this.vehicles = new VehicleFactory({ ...options, deviceId: options.id });
  }

  get id(): string {
    return this.client.id;
  }

  async start(): Promise<void> {
    let reply = await this.client.register();
    // Busy (HTTP 429, StatusCode 2: many devices registering at once from one address): try again after the
    // Retry-After the server gave, as a device does, for up to registerRetryMs (60 s).
    const deadline = Date.now() + (this.options.registerRetryMs ?? 60_000);
    while (!this.client.registered && reply.status === 429 && Date.now() < deadline) {
      const afterSeconds = Number(reply.headers.get('retry-after'));
      await new Promise((resolve) => setTimeout(resolve, (afterSeconds > 0 ? afterSeconds * 1000 : 1000) * (0.5 + Math.random())));
      reply = await this.client.register();
    }
    if (!this.client.registered) {
      throw new DomainError('VIID_REGISTER_REFUSED', `${this.id}: register answered ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
    }
    this.keepaliveTimer = setInterval(() => void this.keepalive().catch(() => {}), this.options.keepaliveMs ?? 30_000);
    this.keepaliveTimer.unref();
  }

  async keepalive(): Promise<ViidReply> {
    const reply = await this.client.keepalive();
    this.keepalives++;
    this.lastKeepaliveStatus = reply.status;
    // A server that dropped our session (restart, missed keepalives) answers 401: register again.
    if (reply.status === 401) await this.client.register();
    return reply;
  }

  /** Pushes `count` new vehicles (or the given objects) in one POST /VIID/MotorVehicles. */
  async push(count: number, objects = this.vehicles.batch(count)): Promise<PushResult> {
    const started = performance.now();
    const reply = await this.client.request('POST', '/VIID/MotorVehicles', motorVehicleList(objects));
    const ms = performance.now() - started;
    const accepted = reply.statuses.filter((s) => Number(s.StatusCode) === 0).length;
    return { ms, status: reply.status, objects: objects.length, accepted, reply };
  }

  async stop(): Promise<void> {
    clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    if (this.client.registered) await this.client.unregister().catch(() => {});
  }
}
