/**
 * The recordings a simulated NVR "holds" for every channel: one half-hour recording per started hour of the
 * asked range (at most 48), as RecordInfo lists them (facts sheet §3.4), times local and zone-less.
 */
export function simRecordings(startText: string, endText: string): Array<[number, number]> {
  const start = parseLocal(startText);
  const end = parseLocal(endText);
  const records: Array<[number, number]> = [];
  for (let at = Math.ceil(start / 3_600_000) * 3_600_000; at + 1_800_000 <= end && records.length < 48; at += 3_600_000) records.push([at, at + 1_800_000]);
  return records;
}

/** RecordList items of one answer part. */
export function simRecordItems(channelId: string, part: Array<[number, number]>): string {
  return part.map(([s, e]) => `<Item><DeviceID>${channelId}</DeviceID><Name>录像</Name><FilePath>/rec/${s}.mp4</FilePath><StartTime>${formatLocal(s)}</StartTime>`
    + `<EndTime>${formatLocal(e)}</EndTime><Secrecy>0</Secrecy><Type>time</Type><FileSize>1048576</FileSize></Item>`).join('');
}

function parseLocal(text: string): number {
  const [d, t] = text.split('T');
  const [y, mo, da] = (d ?? '').split('-').map(Number);
  const [h, mi, se] = (t ?? '').split(':').map(Number);
  return new Date(y!, mo! - 1, da, h, mi, se).getTime();
}

function formatLocal(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
