import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import type { GbDeviceRepository } from './gb-device-repository.ts';
import { gbLocalTime } from './gb-ids.ts';
import type { GbSipServer } from './gb-sip-server.ts';
import { listItems, text, type Manscdp } from './manscdp.ts';

/** One recording a device or NVR holds for a channel. */
export interface GbRecord {
  start: number;
  end: number;
  name: string | null;
  filePath: string | null;
  type: string | null;
  fileSize: number | null;
}

interface Pending {
  sumNum: number | undefined;
  records: GbRecord[];
  resolve(records: { records: GbRecord[]; complete: boolean }): void;
  timer: NodeJS.Timeout;
}

const MAX_RECORDS = 10_000;

/** `yyyy-MM-ddTHH:mm:ss` local time (no zone, as GB/T 28181 bodies carry it) to epoch ms. */
export function parseGbTime(value: string | undefined): number | undefined {
  const m = value ? /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)/.exec(value.trim()) : null;
  if (!m) return undefined;
  const at = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])).getTime();
  return Number.isFinite(at) ? at : undefined;
}

/**
 * RecordInfo: asks a channel's device which recordings it holds in a time range (with `<Type>all</Type>`,
 * which Dahua NVRs require) and puts the multi-part answer together by SN. Long answers are slow (wvp#2232):
 * after `timeoutMs` what arrived is returned, marked incomplete.
 */
export class GbRecords {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly server: () => GbSipServer | undefined, private readonly devices: GbDeviceRepository) {}

  async query(channelId: string, start: number, end: number, timeoutMs = 15_000): Promise<{ records: GbRecord[]; complete: boolean }> {
    const channel = await this.devices.channel(channelId);
    const server = this.server();
    if (!channel || !server?.sessions.get(channel.device_id)) throw new DomainError('GB_DEVICE_OFFLINE', `GB/T 28181 channel ${channelId} is not reachable`);
    let pending: Pending | undefined;
    const result = new Promise<{ records: GbRecord[]; complete: boolean }>((resolve) => {
      pending = { sumNum: undefined, records: [], resolve, timer: setTimeout(() => {}, 0) };
    });
    const sn = await server.query(channel.device_id, 'RecordInfo', [
      ['DeviceID', channelId], ['StartTime', gbLocalTime(new Date(start), false)], ['EndTime', gbLocalTime(new Date(end), false)], ['Secrecy', '0'], ['Type', 'all'],
    ]);
    const key = `${channelId}|${sn}`;
    this.pending.set(key, pending!);
    pending!.timer = setTimeout(() => this.finish(key, false), timeoutMs);
    pending!.timer.unref();
    return result;
  }

  /** A RecordInfo Response part from a device. */
  push(doc: Manscdp): void {
    const key = `${doc.deviceId}|${doc.sn}`;
    const pending = this.pending.get(key);
    if (!pending) return;
    pending.sumNum = Math.min(MAX_RECORDS, Math.max(0, Number(text(doc.node, 'SumNum')) || 0));
    for (const item of listItems(doc.node, 'RecordList')) {
      const start = parseGbTime(text(item, 'StartTime'));
      const end = parseGbTime(text(item, 'EndTime'));
      if (start === undefined || end === undefined || pending.records.length >= MAX_RECORDS) continue;
      const size = Number(text(item, 'FileSize'));
      pending.records.push({
        start, end, name: text(item, 'Name') ?? null, filePath: text(item, 'FilePath') ?? null, type: text(item, 'Type') ?? null,
        fileSize: Number.isFinite(size) && text(item, 'FileSize') ? size : null,
      });
    }
    if (pending.records.length >= pending.sumNum) this.finish(key, true);
  }

  private finish(key: string, complete: boolean): void {
    const pending = this.pending.get(key);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(key);
    pending.resolve({ records: pending.records.sort((a, b) => a.start - b.start), complete });
  }
}
