import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

const scan = (t: TestHub, user: TestHub['users'][keyof TestHub['users']], targets: string[], timeoutMs = 100) =>
  t.api('/api/v1/discovery/scan', { user, body: { targets, multicast: false, timeoutMs } });

// Scan limits do not depend on the database: SQLite only. Default config: camera networks = loopback.
describe('discovery scans are bounded', () => {
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub('sqlite', { features: ['auth', 'directory', 'audit', 'cameras', 'ingest'] }); });
  afterAll(async () => { await t?.stop(); });

  it('security #7: unicast targets outside the configured camera networks are refused before anything is sent', async () => {
    // 192.0.2.0/24 is TEST-NET-1: never a camera network here; the old hub sent 256 datagrams there.
    const outside = await scan(t, t.users.psApprover, ['192.0.2.0/24']);
    expect([outside.status, outside.body.code]).toEqual([400, 'DISCOVERY_TARGET_NOT_ALLOWED']);
    const host = await scan(t, t.users.psApprover, ['127.0.0.1:1', '8.8.8.8']);
    expect([host.status, host.body.code]).toEqual([400, 'DISCOVERY_TARGET_NOT_ALLOWED']);
    const inside = await scan(t, t.users.psApprover, ['127.0.0.1:1']);
    expect(inside.status).toBe(200);
  });

  it('security #7: one scan runs at a time and each user has a per-minute budget (429), and every scan is audited', async () => {
    const [first, second] = await Promise.all([scan(t, t.users.admin, ['127.0.0.1:2'], 800), scan(t, t.users.trafficApprover, ['127.0.0.1:3'], 800)]);
    expect([first.status, second.status].sort()).toEqual([200, 429]);
    expect([first.body.code, second.body.code]).toContain('DISCOVERY_SCAN_BUSY');

    const { scansPerUserPerMinute } = t.hub.ctx.config.ingest.discovery;
    const statuses: number[] = [];
    for (let i = 0; i <= scansPerUserPerMinute; i++) statuses.push((await scan(t, t.users.communityApprover, [`127.0.0.1:${10 + i}`])).status);
    expect(statuses.slice(0, scansPerUserPerMinute).every((s) => s === 200)).toBe(true);
    const limited = await scan(t, t.users.communityApprover, ['127.0.0.1:4']);
    expect([limited.status, limited.body.code]).toEqual([429, 'DISCOVERY_SCAN_RATE_LIMITED']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    const audited = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'result', 'details'])
      .where('action', '=', 'config.discovery.scan').where('user_id', '=', t.users.communityApprover.id).orderBy('seq').execute();
    expect(audited.map((a) => a.result)).toEqual([...Array(scansPerUserPerMinute).fill('ok'), 'denied', 'denied']);
    expect(JSON.parse(audited[0]!.details!)).toMatchObject({ targetCount: 1, networks: ['127.0.0.0/8'] });
  });
});
