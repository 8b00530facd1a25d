import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub, TestUser } from '../helpers/test-hub.ts';
import { startIngestHub } from './ingest-hub.ts';

const HEADER = 'name,department,category,lat,lon,address,stream_url,username,password,ptz,analytics';

describeEachDatabase('CSV camera import', (kind) => {
  let t: TestHub;
  beforeAll(async () => { t = await startIngestHub(kind); });
  afterAll(async () => { await t?.stop(); });

  const upload = async (csv: string, user: TestUser, query = '') => {
    const response = await fetch(`${t.url}/api/v1/cameras/import${query}`, { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${user.token}` }, body: csv });
    return { status: response.status, body: (await response.json()) as any };
  };
  const count = async () => Number((await t.hub.ctx.db.selectFrom('cameras').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('creates valid rows and reports each bad row with its number and code', async () => {
    const csv = [
      HEADER,
      `"Gate, north",Public Security Bureau,public_security,31.2,121.4,"No. 1 ""Main"" Rd",rtsp://10.1.0.1/main,op,S3cr3t-Csv,yes,no`,
      `Bridge,${t.departments.ps},traffic,,,,rtsps://10.1.0.2:322/live,,,0,1`,
      'Bad scheme,Public Security Bureau,traffic,,,,file:///etc/passwd,,,no,no',
      'Dash,Public Security Bureau,traffic,,,,-i /etc/passwd,,,no,no',
      'Playlist,Public Security Bureau,traffic,,,,http://10.1.0.9/live.m3u8,,,no,no',
      'Far away,Public Security Bureau,traffic,95,0,,rtsp://10.1.0.3/x,,,no,no',
      'Nowhere,Ministry of Magic,traffic,,,,rtsp://10.1.0.4/x,,,no,no',
    ].join('\r\n');
    const result = await upload(csv, t.users.psApprover);
    expect(result.status).toBe(200);
    expect(result.body.created).toBe(2);
    expect(result.body.failed).toBe(5);
    const byRow = Object.fromEntries(result.body.rows.map((r: { row: number }) => [r.row, r]));
    expect(byRow[2]).toMatchObject({ status: 'created', name: 'Gate, north' });
    expect(byRow[3]).toMatchObject({ status: 'created', name: 'Bridge' });
    expect(byRow[4]).toMatchObject({ status: 'error', code: 'CAMERA_URL_SCHEME' });
    expect(byRow[5]).toMatchObject({ status: 'error', code: 'CAMERA_URL_INVALID' });
    expect(byRow[6]).toMatchObject({ status: 'error', code: 'CAMERA_URL_SCHEME' });
    expect(byRow[7]).toMatchObject({ status: 'error', code: 'CSV_COORDINATE_INVALID' });
    expect(byRow[8]).toMatchObject({ status: 'error', code: 'DEPARTMENT_UNKNOWN' });
    const gate = await t.hub.ctx.db.selectFrom('cameras').selectAll().where('id', '=', byRow[2].cameraId).executeTakeFirstOrThrow();
    expect(gate).toMatchObject({ address: 'No. 1 "Main" Rd', ptz: 1, analytics_enabled: 0, source: 'csv', stream_url: 'rtsp://10.1.0.1/main' });
    expect(gate.credentials_enc).not.toBeNull();
    expect(JSON.stringify(result.body)).not.toContain('S3cr3t-Csv');
  });

  it('creates nothing with allOrNothing when one row is bad', async () => {
    const before = await count();
    const csv = `${HEADER}\nOne,Public Security Bureau,other,,,,rtsp://10.2.0.1/a,,,no,no\nTwo,Public Security Bureau,other,,,,concat:a|b,,,no,no\n`;
    const result = await upload(csv, t.users.admin, '?allOrNothing=true');
    expect(result.body.created).toBe(0);
    expect(result.body.rows.map((r: { status: string }) => r.status)).toEqual(['skipped', 'error']);
    expect(await count()).toBe(before);
  });

  it('limits approvers to their department and refuses viewers, bad headers and oversize bodies', async () => {
    const other = await upload(`${HEADER}\nX,Traffic Police,traffic,,,,rtsp://10.3.0.1/a,,,no,no`, t.users.psApprover);
    expect(other.body.rows[0]).toMatchObject({ status: 'error', code: 'CAMERA_MANAGE_DENIED' });
    expect((await upload(`${HEADER}\n`, t.users.psViewer)).status).toBe(403);
    const header = await upload('name,stream_url\nX,rtsp://10.3.0.1/a', t.users.admin);
    expect(header).toMatchObject({ status: 400, body: { code: 'CSV_HEADER_INVALID' } });
    const unterminated = await upload(`${HEADER}\n"X,Public Security Bureau`, t.users.admin);
    expect(unterminated).toMatchObject({ status: 400, body: { code: 'CSV_MALFORMED' } });
    const huge = await upload(`${HEADER}\n${'x'.repeat(3 * 1024 * 1024)}`, t.users.admin);
    expect(huge.status).toBe(413);
  });
});
