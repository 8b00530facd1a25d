/**
 * MPEG-2 PS for sending upward (GB/T 28181 facts sheet §4.5), from H.264 access units: a pack header per
 * frame, system header and PSM (stream type 0x1B for stream 0xE0, CRC-32/MPEG-2) on key frames, PES with the
 * PTS; then RTP PT 96 packets of at most 1400 bytes with the marker on each frame's last packet. ffmpeg's own
 * PS muxer writes no PSM and a stream id peers read as MPEG audio, hence this one.
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

const split33 = (t: number) => ({ hi: Math.floor(t / 2 ** 30) & 0x07, mid: Math.floor(t / 2 ** 15) & 0x7fff, lo: t % 2 ** 15 });
const SYSTEM_HEADER = Buffer.from([0x00, 0x00, 0x01, 0xbb, 0x00, 0x09, 0x80, 0xcc, 0xf5, 0x00, 0xe1, 0x7f, 0xe0, 0xe0, 0xe8]);

function psm(): Buffer {
  const body = Buffer.from([0x00, 0x00, 0x01, 0xbc, 0x00, 0x0e, 0xe0, 0xff, 0x00, 0x00, 0x00, 0x04, 0x1b, 0xe0, 0x00, 0x00]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32Mpeg2(body));
  return Buffer.concat([body, crc]);
}

/** One H.264 access unit as PS; `pts` in 90 kHz units (33 bits). */
export function muxPsFrame(frame: Buffer, pts: number, key: boolean): Buffer {
  const t = split33(pts % 2 ** 33);
  const pack = Buffer.from([0x00, 0x00, 0x01, 0xba, 0x44 | (t.hi << 3) | (t.mid >> 13), (t.mid >> 5) & 0xff, ((t.mid & 0x1f) << 3) | 0x04 | (t.lo >> 13),
    (t.lo >> 5) & 0xff, ((t.lo & 0x1f) << 3) | 0x04, 0x01, 0x01, 0x89, 0xc3, 0xf8]);
  const out: Buffer[] = [pack];
  if (key) out.push(SYSTEM_HEADER, psm());
  for (let at = 0; at < frame.length; at += PES_MAX_PAYLOAD) {
    const payload = frame.subarray(at, at + PES_MAX_PAYLOAD);
    const header = at === 0
      ? Buffer.from([0x80, 0x80, 0x05, 0x21 | (t.hi << 1), t.mid >> 7, ((t.mid & 0x7f) << 1) | 1, t.lo >> 7, ((t.lo & 0x7f) << 1) | 1])
      : Buffer.from([0x80, 0x00, 0x00]);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(header.length + payload.length);
    out.push(Buffer.from([0x00, 0x00, 0x01, 0xe0]), length, header, payload);
  }
  return Buffer.concat(out);
}

/** RTP packets (PT 96) for one PS frame; returns them and the next sequence number. */
export function rtpPacketsOf(ps: Buffer, o: { ssrc: number; seq: number; timestamp: number }): { packets: Buffer[]; nextSeq: number } {
  const packets: Buffer[] = [];
  let seq = o.seq;
  for (let at = 0; at < ps.length; at += 1_400) {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = (at + 1_400 >= ps.length ? 0x80 : 0) | 96;
    header.writeUInt16BE(seq, 2);
    header.writeUInt32BE(o.timestamp % 2 ** 32, 4);
    header.writeUInt32BE(o.ssrc >>> 0, 8);
    packets.push(Buffer.concat([header, ps.subarray(at, at + 1_400)]));
    seq = (seq + 1) & 0xffff;
  }
  return { packets, nextSeq: seq };
}

/**
 * Cuts an H.264 Annex-B byte stream, arriving in arbitrary chunks, into access units: a unit ends where the
 * next one's first NAL (AUD, SPS, PPS, SEI, or a slice with first_mb_in_slice = 0) begins. Bounded: a unit
 * that grows past 4 MB without an end is dropped.
 */
export class AnnexBSplitter {
  private buffer: Buffer = Buffer.alloc(0);
  private scanned = 0;
  private unitStart = -1;
  private hasSlice = false;
  private key = false;

  push(chunk: Buffer, onUnit: (unit: Buffer, key: boolean) => void): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let i = Math.max(0, this.scanned - 3);
    for (; i + 4 < this.buffer.length; i++) {
      if (this.buffer[i] !== 0 || this.buffer[i + 1] !== 0 || this.buffer[i + 2] !== 1) continue;
      const type = this.buffer[i + 3]! & 0x1f;
      const isSlice = type === 1 || type === 5;
      const starts = type === 9 || type === 7 || type === 8 || type === 6 || (isSlice && (this.buffer[i + 4]! & 0x80) !== 0);
      const at = i > 0 && this.buffer[i - 1] === 0 ? i - 1 : i;
      if (starts && this.hasSlice && this.unitStart >= 0) {
        onUnit(this.buffer.subarray(this.unitStart, at), this.key);
        this.unitStart = at;
        this.hasSlice = false;
        this.key = false;
      }
      if (this.unitStart < 0) this.unitStart = at;
      if (isSlice) this.hasSlice = true;
      if (type === 5) this.key = true;
      i += 3;
    }
    this.scanned = i;
    if (this.unitStart > 0) {
      this.buffer = Buffer.from(this.buffer.subarray(this.unitStart));
      this.scanned -= this.unitStart;
      this.unitStart = 0;
    }
    if (this.buffer.length > 4 * 1024 * 1024) {
      this.buffer = Buffer.alloc(0);
      this.scanned = 0;
      this.unitStart = -1;
      this.hasSlice = false;
    }
  }
}
