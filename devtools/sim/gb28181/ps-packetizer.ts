/**
 * MPEG-2 program stream as GB/T 28181 devices send it (facts sheet §4.5): per frame a pack header; on key
 * frames a system header and a PSM declaring H.264 (0x1B) for stream 0xE0; then PES packets with the PTS.
 */
const PES_MAX_PAYLOAD = 65_000;

function crc32Mpeg2(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = (crc & 0x80000000) !== 0 ? ((crc << 1) ^ 0x04c11db7) : crc << 1;
  }
  return crc >>> 0;
}

/** 33-bit time split as the PS headers carry it. */
const parts = (t: number) => ({ hi: Math.floor(t / 2 ** 30) & 0x07, mid: Math.floor(t / 2 ** 15) & 0x7fff, lo: t % 2 ** 15 });

function packHeader(scr: number): Buffer {
  const { hi, mid, lo } = parts(scr);
  const muxRate = 6_106;
  return Buffer.from([
    0x00, 0x00, 0x01, 0xba,
    0x44 | (hi << 3) | (mid >> 13), (mid >> 5) & 0xff, ((mid & 0x1f) << 3) | 0x04 | (lo >> 13), (lo >> 5) & 0xff, ((lo & 0x1f) << 3) | 0x04, 0x01,
    (muxRate >> 14) & 0xff, (muxRate >> 6) & 0xff, ((muxRate << 2) & 0xfc) | 0x03, 0xf8,
  ]);
}

const SYSTEM_HEADER = Buffer.from([0x00, 0x00, 0x01, 0xbb, 0x00, 0x09, 0x80, 0xcc, 0xf5, 0x00, 0xe1, 0x7f, 0xe0, 0xe0, 0xe8]);

function psm(streamType: number): Buffer {
  const body = Buffer.from([0x00, 0x00, 0x01, 0xbc, 0x00, 0x0e, 0xe0, 0xff, 0x00, 0x00, 0x00, 0x04, streamType, 0xe0, 0x00, 0x00]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32Mpeg2(body));
  return Buffer.concat([body, crc]);
}

function pes(payload: Buffer, pts: number | undefined): Buffer {
  const header = pts === undefined ? Buffer.from([0x80, 0x00, 0x00]) : (() => {
    const { hi, mid, lo } = parts(pts);
    return Buffer.from([0x80, 0x80, 0x05, 0x21 | (hi << 1), mid >> 7, ((mid & 0x7f) << 1) | 1, lo >> 7, ((lo & 0x7f) << 1) | 1]);
  })();
  const length = Buffer.alloc(2);
  length.writeUInt16BE(header.length + payload.length);
  return Buffer.concat([Buffer.from([0x00, 0x00, 0x01, 0xe0]), length, header, payload]);
}

/** One frame as PS bytes; `pts` in 90 kHz units. */
export function psFrame(frame: Buffer, pts: number, key: boolean, streamType = 0x1b): Buffer {
  const out = [packHeader(pts)];
  if (key) out.push(SYSTEM_HEADER, psm(streamType));
  for (let at = 0; at < frame.length; at += PES_MAX_PAYLOAD) {
    out.push(pes(frame.subarray(at, at + PES_MAX_PAYLOAD), at === 0 ? pts : undefined));
  }
  return Buffer.concat(out);
}

/** RTP packets (PT 96, 90 kHz) carrying one PS frame: payloads of at most `mtu` bytes, marker on the last. */
export function rtpPackets(ps: Buffer, o: { ssrc: number; seq: number; timestamp: number; mtu?: number }): { packets: Buffer[]; nextSeq: number } {
  const mtu = o.mtu ?? 1_400;
  const packets: Buffer[] = [];
  let seq = o.seq;
  for (let at = 0; at < ps.length; at += mtu) {
    const last = at + mtu >= ps.length;
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = (last ? 0x80 : 0) | 96;
    header.writeUInt16BE(seq & 0xffff, 2);
    header.writeUInt32BE(o.timestamp % 2 ** 32, 4);
    header.writeUInt32BE(o.ssrc >>> 0, 8);
    packets.push(Buffer.concat([header, ps.subarray(at, at + mtu)]));
    seq = (seq + 1) & 0xffff;
  }
  return { packets, nextSeq: seq };
}
