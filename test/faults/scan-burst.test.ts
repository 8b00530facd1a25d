import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { recordFault } from './fault-table.ts';

/**
 * Issue 13 #7 as a fault: an approver fires a burst of discovery scans (concurrent, then back to back, then
 * at a network outside the camera networks). Only the budget's scans may send datagrams; the rest are
 * refused (429 / 400) and audited. The listener on loopback counts what the hub actually sent.
 */
describe('discovery scan burst', () => {
  let t: TestHub;
  let listener: Socket;
  let datagrams = 0;
  beforeAll(async () => {
    listener = createSocket('udp4');
    listener.on('message', () => { datagrams++; });
    await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', resolve));
    t = await startTestHub('sqlite', { features: ['auth', 'directory', 'audit', 'cameras', 'ingest'] });
  });
  afterAll(async () => {
    await t?.stop();
    listener?.close();
  });

  it('sends datagrams only for the scans within the budget; refuses and audits the rest', async () => {
    const { port } = listener.address() as AddressInfo;
    const { scansPerUserPerMinute } = t.hub.ctx.config.ingest.discovery;
    const scan = (targets: string[], timeoutMs = 100) => t.api('/api/v1/discovery/scan', { user: t.users.psApprover, body: { targets, multicast: false, timeoutMs } });
    const concurrent = await Promise.all(Array.from({ length: 20 }, () => scan([`127.0.0.1:${port}`], 500)));
    const sequential: Array<Awaited<ReturnType<typeof scan>>> = [];
    for (let i = 0; i < 2 * scansPerUserPerMinute; i++) sequential.push(await scan([`127.0.0.1:${port}`]));
    const outside = await Promise.all(Array.from({ length: 10 }, () => scan(['192.0.2.0/24'])));
    const all = [...concurrent, ...sequential, ...outside];
    const count = (status: number, code?: string) => all.filter((r) => r.status === status && (code === undefined || r.body?.code === code)).length;
    const ran = count(200);
    const audited = await t.hub.ctx.db.selectFrom('audit_events').select('result').where('action', '=', 'config.discovery.scan').execute();
    recordFault({
      fault: `discovery scan burst: ${all.length} scans by one approver (20 at once, ${sequential.length} back to back, 10 outside the camera networks)`,
      expected: scansPerUserPerMinute, found: ran, duplicates: 0, recoverySeconds: null,
      note: `sqlite; datagrams sent ${datagrams} (1 per accepted scan); 429 busy ${count(429, 'DISCOVERY_SCAN_BUSY')}, 429 rate ${count(429, 'DISCOVERY_SCAN_RATE_LIMITED')}, 400 outside ${count(400, 'DISCOVERY_TARGET_NOT_ALLOWED')}; audited ${audited.length}`,
    });
    expect(ran).toBe(scansPerUserPerMinute);
    expect(datagrams).toBe(ran);
    expect(count(400, 'DISCOVERY_TARGET_NOT_ALLOWED')).toBe(10);
    expect(ran + count(429)).toBe(concurrent.length + sequential.length);
    expect(audited).toHaveLength(all.length);
  });
});
