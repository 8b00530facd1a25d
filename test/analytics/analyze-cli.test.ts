import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hub-analyze-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function analyze(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'analytics/cli/analyze.ts', ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const errorCode = (stderr: string) => JSON.parse(stderr.trim().split('\n').at(-1)!).error.code;

/** A valid PNG header (signature + IHDR with a correct CRC) claiming width×height pixels, no pixel data. */
function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const chunk = (type: string, body: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const out = Buffer.alloc(8 + body.length + 4);
    out.writeUInt32BE(body.length, 0);
    typed.copy(out, 4);
    out.writeUInt32BE(crc32(typed), 8 + body.length);
    return out;
  };
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(64))), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

describe('npm run analyze', () => {
  it('prints help', async () => {
    const { code, stdout } = await analyze('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: npm run analyze -- <image>/);
  });

  it('prints plates and counts as JSON', async () => {
    const { code, stdout } = await analyze('media/plates/black_yueZP560gang_strip.jpg');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.plates.map((p: { plate: string }) => p.plate)).toEqual(['粤ZP560港']);
    expect(report.plates[0].colour).toBe('black');
    expect(report).toMatchObject({ width: 320, height: 48, persons: 0 });
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.jpg'), 'IMAGE_NOT_FOUND'],
    ['a file that is not an image', () => { const p = join(dir, 'notes.jpg'); writeFileSync(p, 'not an image'); return p; }, 'IMAGE_DECODE_FAILED'],
    ['an image claiming 100k×100k pixels', () => { const p = join(dir, 'bomb.png'); writeFileSync(p, pngClaiming(100_000, 100_000)); return p; }, 'IMAGE_TOO_LARGE'],
    ['a directory', () => dir, 'IMAGE_UNREADABLE'],
  ])('rejects %s with a stable code', async (_, makePath, expected) => {
    const { code, stderr } = await analyze(makePath());
    expect(code).toBe(1);
    expect(errorCode(stderr)).toBe(expected);
  });

  it('rejects bad usage', async () => {
    expect(errorCode((await analyze()).stderr)).toBe('USAGE');
    expect(errorCode((await analyze('a.jpg', 'b.jpg')).stderr)).toBe('USAGE');
    expect(errorCode((await analyze('--max-pixels', 'x', 'a.jpg')).stderr)).toBe('USAGE');
  });
});
