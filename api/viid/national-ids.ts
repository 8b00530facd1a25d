import type { HubContext } from '../hub/hub-context.ts';
import { nationalIdFor, TYPE_CODES } from './objects/viid-ids.ts';

const CANDIDATES = 16;

/**
 * Every camera gets a 20-digit national ID (its GA/T 1400 DeviceID): a camera registered without one (our
 * RTSP and ONVIF cameras) is given civil code + 00 + 119 + a serial hashed from its id, stored, so it never
 * changes; on the rare collision the next hash (id#1, id#2, …) is taken. Runs at start for cameras that
 * predate it and on every new camera.
 */
export class NationalIds {
  private readonly onChanged = (event: { cameraId: string; change: 'created' | 'updated' | 'deleted' }) => {
    if (event.change !== 'created') return;
    this.assign(event.cameraId).catch((error: unknown) => this.ctx.log.warn({ err: error, cameraId: event.cameraId }, 'national ID assignment failed'));
  };

  constructor(private readonly ctx: HubContext) {}

  async start(): Promise<void> {
    this.ctx.events.on('camera.changed', this.onChanged);
    for (const id of await this.ctx.cameras.withoutNationalId()) await this.assign(id);
  }

  stop(): void {
    this.ctx.events.off('camera.changed', this.onChanged);
  }

  async assign(cameraId: string): Promise<string | undefined> {
    const { civilCode } = this.ctx.config.viid;
    const candidates = Array.from({ length: CANDIDATES }, (_, k) => nationalIdFor(civilCode, TYPE_CODES.ape, k === 0 ? cameraId : `${cameraId}#${k}`));
    return this.ctx.cameras.assignNationalId(cameraId, candidates);
  }
}
