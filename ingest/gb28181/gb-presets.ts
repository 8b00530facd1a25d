import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import type { PtzPreset } from '../onvif/onvif-parse.ts';
import type { GbDeviceRepository } from './gb-device-repository.ts';
import type { GbSipServer } from './gb-sip-server.ts';
import { listItems, text, type Manscdp } from './manscdp.ts';

interface Pending {
  presets: PtzPreset[];
  /** A Response part arrived (an empty list within time is a real "no presets"; silence is not). */
  answered: boolean;
  resolve(presets: PtzPreset[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

/** A channel has at most 255 presets (the PTZCmd preset byte). */
const MAX_PRESETS = 255;

/**
 * PresetQuery: asks a channel's device for its presets (`<PresetList>` of `PresetID` and `PresetName`) and
 * puts a multi-part answer together by SN up to SumNum. A device that does not answer in time: what arrived,
 * or GB_PRESETS_UNANSWERED when nothing did (many devices only call presets by number and never list them).
 */
export class GbPresets {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly server: () => GbSipServer | undefined, private readonly devices: GbDeviceRepository) {}

  async query(channelId: string, timeoutMs = 5_000): Promise<PtzPreset[]> {
    const channel = await this.devices.channel(channelId);
    const server = this.server();
    if (!channel || !server?.sessions.get(channel.device_id)) throw new DomainError('GB_DEVICE_OFFLINE', `GB/T 28181 channel ${channelId} is not reachable`);
    const pending: Pending = { presets: [], answered: false, resolve: () => {}, reject: () => {}, timer: undefined };
    const result = new Promise<PtzPreset[]>((resolve, reject) => { pending.resolve = resolve; pending.reject = reject; });
    const sn = await server.query(channel.device_id, 'PresetQuery', [['DeviceID', channelId]]);
    const key = `${channelId}|${sn}`;
    this.pending.set(key, pending);
    pending.timer = setTimeout(() => this.finish(key), timeoutMs);
    pending.timer.unref();
    return result;
  }

  /** A PresetQuery Response part from a device. */
  push(doc: Manscdp): void {
    const key = `${doc.deviceId}|${doc.sn}`;
    const pending = this.pending.get(key);
    if (!pending) return;
    pending.answered = true;
    const sumNum = Math.min(MAX_PRESETS, Math.max(0, Number(text(doc.node, 'SumNum')) || 0));
    for (const item of listItems(doc.node, 'PresetList')) {
      const id = text(item, 'PresetID')?.trim();
      if (!id || !/^\d{1,3}$/.test(id) || pending.presets.length >= MAX_PRESETS) continue;
      pending.presets.push({ token: String(Number(id)), name: (text(item, 'PresetName') ?? '').slice(0, 100) || `预置位 ${Number(id)}` });
    }
    if (pending.presets.length >= sumNum) this.finish(key);
  }

  private finish(key: string): void {
    const pending = this.pending.get(key);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(key);
    if (pending.answered) pending.resolve(pending.presets.sort((a, b) => Number(a.token) - Number(b.token)));
    else pending.reject(new DomainError('GB_PRESETS_UNANSWERED', 'the device did not list its presets; call a preset by number (1-255)'));
  }
}

