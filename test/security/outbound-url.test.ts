import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundUrlGuard } from '../../api/kernel/http/outbound-url.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

async function refusal(guard: OutboundUrlGuard, url: string): Promise<string | undefined> {
  try {
    await guard.check(url);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('outbound URL guard', () => {
  it('security #9: loopback, link-local, unspecified, multicast and private targets are refused after resolution, in every spelling', async () => {
    const guard = new OutboundUrlGuard([]);
    for (const url of [
      'http://127.0.0.1:6379/', 'http://0x7f000001/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://[::1]:8080/', 'http://localhost/',
      'http://[::ffff:127.0.0.1]/', 'http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/', 'http://0.0.0.0/', 'http://[::]/',
      'http://224.0.0.1/', 'http://10.1.2.3/', 'http://172.16.0.1/', 'http://192.168.1.1/', 'http://100.64.0.1/', 'http://[fd00::1]/',
    ]) {
      expect(await refusal(guard, url), url).toBe('OUTBOUND_URL_NOT_ALLOWED');
    }
    expect(await refusal(guard, 'ftp://8.8.8.8/')).toBe('OUTBOUND_URL_INVALID');
    expect(await refusal(guard, 'http://8.8.8.8/')).toBeUndefined();
    // An operator allowlist opens private or loopback networks, never multicast or unspecified addresses.
    const allowing = new OutboundUrlGuard(['10.0.0.0/8', '127.0.0.0/8']);
    expect(await refusal(allowing, 'http://10.1.2.3/')).toBeUndefined();
    expect(await refusal(allowing, 'http://0x7f000001/')).toBeUndefined();
    expect(await refusal(allowing, 'http://192.168.1.1/')).toBe('OUTBOUND_URL_NOT_ALLOWED');
  });
});

// Outbound rules do not depend on the database: SQLite only. The test hub allows loopback by default; this one does not.
describe('outbound fetches and pushes of a hub without an outbound allowlist', () => {
  let t: TestHub;
  let target: Server;
  let targetUrl: string;
  const hits: string[] = [];
  beforeAll(async () => {
    target = createServer((req, res) => { hits.push(req.url ?? ''); res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end(); });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    t = await startTestHub('sqlite', { features: ['auth', 'directory', 'audit', 'cameras', 'ingest', 'checkpoint'], overrides: { http: { outboundAllowedNetworks: [] } } });
  });
  afterAll(async () => {
    await t?.stop();
    await new Promise((resolve) => target?.close(resolve));
  });

  it('security #9: an approver-set snapshotUrl on loopback is never fetched', async () => {
    const created = await t.api('/api/v1/cameras', { user: t.users.psApprover, body: { name: 'ssrf cam', departmentId: t.departments.ps, category: 'public_security', streamUrl: 'rtsp://127.0.0.1:9/none', snapshotUrl: `${targetUrl}/internal-admin` } });
    expect(created.status).toBe(201);
    const snapshot = await t.api(`/api/v1/cameras/${created.body.id}/snapshot`, { user: t.users.psApprover });
    expect(snapshot.status).toBeGreaterThanOrEqual(500);
    expect(hits).toEqual([]);
  });

  it('security #9: an admin-set subscription receiverUrl on loopback ([::1], 0x7f000001) is refused', async () => {
    for (const receiverUrl of [`${targetUrl}/gat1400`, 'http://[::1]:9/x', 'http://0x7f000001:9/x', 'http://localhost:9/x']) {
      const sub = await t.api('/api/v1/checkpoint/subscriptions', { user: t.users.admin, body: { subscriber: 's', organisation: 'o', reason: 'ring road study', receiverUrl, beginAt: Date.now() - 1_000, endAt: Date.now() + 60_000 } });
      expect([sub.status, sub.body.code], receiverUrl).toEqual([400, 'RECEIVER_URL_NOT_ALLOWED']);
    }
  });
});
