import type { Logger } from 'pino';
import type { GbRecord } from './gb-records.ts';
import { gbLocalTime } from './gb-ids.ts';
import { parseGbTime } from './gb-records.ts';
import { buildManscdp, text, type Manscdp } from './manscdp.ts';
import type { SipResponse } from './sip-message.ts';

/** The channel's own device, reached for the upper platform. */
export interface LowerDevices {
  /** Sends the PTZCmd as it came to the channel's device (DeviceControl). */
  ptz(channelId: string, ptzCmd: string): Promise<void>;
  /** RecordInfo of the channel's device for the range. */
  records(channelId: string, start: number, end: number): Promise<{ records: GbRecord[] }>;
}

/** A shared channel and what its share allows the upper platform. */
export interface RelayableChannel {
  id: string;
  /** A GB/T 28181 channel of a device registered here (the only kind a PTZCmd or RecordInfo can be relayed to). */
  gb: boolean;
  ptz: boolean;
  playback: boolean;
}

/** Recordings per answer MESSAGE toward the upper (wvp's catalogGroup range is 1–8). */
const RECORDS_PER_MESSAGE = 4;

/** A PTZCmd: 8 bytes as 16 hex digits, A5 0F lead, checksum = sum of bytes 1–7 mod 256 (facts sheet §3.5). */
export function validPtzCmd(cmd: string | undefined): cmd is string {
  if (!cmd || !/^[0-9A-Fa-f]{16}$/.test(cmd)) return false;
  const bytes = Buffer.from(cmd, 'hex');
  if (bytes[0] !== 0xa5 || bytes[1] !== 0x0f) return false;
  return bytes.subarray(0, 7).reduce((sum, b) => sum + b, 0) % 256 === bytes[7];
}

/**
 * What the upper platform may ask of a shared channel beyond live video, checked against the share's rights
 * before the SIP answer: the SIP status to give (404 not shared, 403 right not granted, 400 bad command,
 * 488 not a GB channel) and, on 200, the work to run after answering.
 */
export function upperRequestDecision(doc: Manscdp, channels: RelayableChannel[]): { status: number; reason: string; right?: 'ptz' | 'playback' } {
  const channel = channels.find((c) => c.id === doc.deviceId);
  const right = doc.cmdType === 'DeviceControl' ? 'ptz' : 'playback';
  if (!channel) return { status: 404, reason: 'Channel Not Shared' };
  if (!channel[right]) return { status: 403, reason: right === 'ptz' ? 'PTZ Not Shared' : 'Recordings Not Shared' };
  if (!channel.gb) return { status: 488, reason: 'Not A GB/T 28181 Channel' };
  if (right === 'ptz' && !validPtzCmd(text(doc.node, 'PTZCmd'))) return { status: 400, reason: 'Bad PTZCmd' };
  return { status: 200, reason: 'OK', right };
}

/** Relays an allowed DeviceControl (PTZCmd) to the channel's device. */
export async function relayPtz(doc: Manscdp, lower: LowerDevices, log: Pick<Logger, 'info' | 'warn'>): Promise<void> {
  const cmd = text(doc.node, 'PTZCmd')!.toUpperCase();
  await lower.ptz(doc.deviceId, cmd).catch((error: Error) => log.warn({ err: error, channel: doc.deviceId }, 'GB28181 PTZ from the upper platform not relayed'));
  log.info({ channel: doc.deviceId, cmd }, 'GB28181 PTZ relayed from the upper platform');
}

/**
 * Relays an allowed RecordInfo query to the channel's device and answers the upper with the same SN, in
 * parts of RECORDS_PER_MESSAGE (SumNum = all), times local and zone-less as GB bodies carry them.
 */
export async function relayRecordInfo(doc: Manscdp, lower: LowerDevices, send: (body: Buffer) => Promise<SipResponse | undefined>): Promise<void> {
  const start = parseGbTime(text(doc.node, 'StartTime'));
  const end = parseGbTime(text(doc.node, 'EndTime'));
  const found = start !== undefined && end !== undefined && end > start ? (await lower.records(doc.deviceId, start, end).catch(() => ({ records: [] }))).records : [];
  const esc = (v: string) => v.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
  for (let i = 0; i < Math.max(1, found.length); i += RECORDS_PER_MESSAGE) {
    const part = found.slice(i, i + RECORDS_PER_MESSAGE);
    const items = part.map((r) => `<Item><DeviceID>${doc.deviceId}</DeviceID><Name>${esc(r.name ?? '')}</Name><FilePath>${esc(r.filePath ?? '')}</FilePath>`
      + `<StartTime>${gbLocalTime(new Date(r.start), false)}</StartTime><EndTime>${gbLocalTime(new Date(r.end), false)}</EndTime><Secrecy>0</Secrecy>`
      + `<Type>${esc(r.type ?? 'time')}</Type>${r.fileSize !== null ? `<FileSize>${r.fileSize}</FileSize>` : ''}</Item>`).join('');
    const body = buildManscdp('Response', [['CmdType', 'RecordInfo'], ['SN', doc.sn], ['DeviceID', doc.deviceId], ['Name', doc.deviceId], ['SumNum', String(found.length)]], 'GB2312',
      `<RecordList Num="${part.length}">${items}</RecordList>\r\n`);
    await send(body);
  }
}
