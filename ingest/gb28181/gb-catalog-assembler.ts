import { isChannelId } from './gb-ids.ts';
import { child, listItems, text, type Manscdp } from './manscdp.ts';

/** One channel as a catalogue lists it. */
export interface GbCatalogChannel {
  id: string;
  name: string;
  civilCode: string | null;
  address: string | null;
  manufacturer: string | null;
  model: string | null;
  parentId: string | null;
  ptzType: number | null;
  status: 'ON' | 'OFF';
  lon: number | null;
  lat: number | null;
  /** Catalogue NOTIFY event (ADD, UPDATE, DEL, ON, OFF, VLOST, DEFECT); undefined in a query answer. */
  event?: string;
}

const MAX_ITEMS = 20_000;
const MAX_PENDING = 1_000;
/** How long a finished answer's SN is remembered (retransmitted copies come within seconds). */
const FINISHED_MEMORY_MS = 60_000;

const optional = (value: string | undefined) => (value && value.trim() ? value.trim().slice(0, 300) : null);
const coordinate = (value: string | undefined, limit: number) => {
  const n = Number(value);
  return value && Number.isFinite(n) && n !== 0 && Math.abs(n) <= limit ? n : null;
};

/** The channel items of a catalogue body (groups, regions and the device itself are skipped). */
export function catalogChannels(doc: Manscdp): GbCatalogChannel[] {
  const out: GbCatalogChannel[] = [];
  for (const item of listItems(doc.node)) {
    const id = text(item, 'DeviceID');
    if (!id || !isChannelId(id)) continue;
    const info = child(item, 'Info');
    const ptz = Number(text(info, 'PTZType') ?? text(item, 'PTZType'));
    const event = text(item, 'Event')?.toUpperCase();
    out.push({
      id, name: optional(text(item, 'Name')) ?? id, civilCode: optional(text(item, 'CivilCode')), address: optional(text(item, 'Address')),
      manufacturer: optional(text(item, 'Manufacturer')), model: optional(text(item, 'Model')), parentId: optional(text(item, 'ParentID')),
      ptzType: Number.isInteger(ptz) && ptz > 0 && ptz < 10 ? ptz : null,
      status: (text(item, 'Status') ?? 'ON').toUpperCase() === 'OFF' || event === 'OFF' || event === 'VLOST' || event === 'DEFECT' ? 'OFF' : 'ON',
      lon: coordinate(text(item, 'Longitude'), 180), lat: coordinate(text(item, 'Latitude'), 90), event,
    });
  }
  return out;
}

interface Pending {
  deviceId: string;
  sumNum: number;
  items: Map<string, GbCatalogChannel>;
  /** Every DeviceID seen (groups too): SumNum counts them all. */
  seen: Set<string>;
  timer: NodeJS.Timeout;
}

/**
 * Puts a multi-part catalogue answer back together: parts share the SN, SumNum is the total, each part
 * lists some items. Complete when every item arrived; taken as it is (partial) when no part came for
 * `partTimeoutMs`. Bounded in items per catalogue and in catalogues pending at once.
 */
export class GbCatalogAssembler {
  private readonly pending = new Map<string, Pending>();
  /**
   * Answers finished lately, by key, with when: a device that answers each UDP retransmission of our query
   * sends the whole catalogue twice under the same SN; the copy is dropped instead of being assembled again
   * (and applied as a partial catalogue once its parts stop).
   */
  private readonly finished = new Map<string, number>();

  constructor(private readonly partTimeoutMs: number, private readonly done: (deviceId: string, channels: GbCatalogChannel[], complete: boolean) => void) {}

  push(deviceId: string, doc: Manscdp): void {
    const key = `${deviceId}|${doc.sn}`;
    if (this.finished.has(key)) return;
    const sumNum = Math.min(Math.max(0, Number(text(doc.node, 'SumNum')) || 0), MAX_ITEMS);
    let entry = this.pending.get(key);
    if (!entry) {
      if (this.pending.size >= MAX_PENDING) return;
      entry = { deviceId, sumNum, items: new Map(), seen: new Set(), timer: setTimeout(() => {}, 0) };
      this.pending.set(key, entry);
    }
    clearTimeout(entry.timer);
    for (const item of listItems(doc.node)) {
      const id = text(item, 'DeviceID');
      if (id && entry.seen.size < MAX_ITEMS) entry.seen.add(id);
    }
    for (const channel of catalogChannels(doc)) if (entry.items.size < MAX_ITEMS) entry.items.set(channel.id, channel);
    if (entry.seen.size >= entry.sumNum) return this.finish(key, true);
    const pendingEntry = entry;
    entry.timer = setTimeout(() => this.finish(key, false), this.partTimeoutMs);
    pendingEntry.timer.unref();
  }

  private finish(key: string, complete: boolean): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(key);
    const now = Date.now();
    for (const [old, at] of this.finished) {
      if (now - at < FINISHED_MEMORY_MS && this.finished.size < MAX_PENDING) break;
      this.finished.delete(old);
    }
    // Only a complete answer: parts that come after a partial one was taken are still news.
    if (complete) this.finished.set(key, now);
    this.done(entry.deviceId, [...entry.items.values()], complete);
  }

  stop(): void {
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
    this.finished.clear();
  }
}
