import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../helpers/test-hub.ts';
import { startLoggedHub, type LogCapture } from '../faults/logged-hub.ts';

// Logging does not depend on the database: SQLite only.
describe('secrets in logged URLs', () => {
  let t: TestHub;
  let logs: LogCapture;
  beforeAll(async () => { ({ t, logs } = await startLoggedHub('sqlite', { overrides: { log: { level: 'info' } } })); });
  afterAll(async () => { await t?.stop(); });

  it('security #11: a play token on a near-miss media URL (trailing /, %00) never reaches the log, nor sign=/signature= anywhere', async () => {
    const secret = () => `s3cr3t${randomBytes(12).toString('hex')}`;
    const token = secret();
    const sign = secret();
    const signature = secret();
    const accessToken = secret();
    const stream = 'a'.repeat(32);
    const nearMisses = [
      `/media/hls/${stream}/index.m3u8/?token=${token}`,
      `/media/hls/${stream}/index.m3u8%00?token=${token}`,
      `/media/flv/${stream}.flv/?token=${token}`,
      `/media/wsflv/${stream}.flv%00?x=1&token=${token}`,
      `/media/hls/${stream}/seg_1.ts?token=${token}`,
      `/api/v1/cameras/x?sign=${sign}&Signature=${signature}`,
      `/player/?access_token=${accessToken}`,
      `/api/v1/nowhere?TOKEN=${token}#frag`,
    ];
    for (const path of nearMisses) {
      const res = await fetch(`${t.url}${path}`, { signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      expect(res.status, path).toBeGreaterThanOrEqual(200);
    }
    await new Promise((r) => setTimeout(r, 100));
    const text = logs.text();
    // The requests were logged (so the check below is about scrubbing, not about silence).
    expect(text).toContain('/media/hls/');
    for (const value of [token, sign, signature, accessToken]) expect(text.includes(value), `secret ${value.slice(0, 10)}… in the log`).toBe(false);
    expect(text).toMatch(/token=\[redacted\]/);
  });
});
