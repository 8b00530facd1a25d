import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addGrant } from '../checkpoint/checkpoint-fixtures.ts';
import { seedCatalogue, type SeededCamera } from './catalogue-fixtures.ts';

const COUNT = 520;

describeEachDatabase('camera catalogue: search, filters and paging over 500+ cameras', (kind) => {
  let t: TestHub;
  let seeded: SeededCamera[];
  beforeAll(async () => {
    t = await startTestHub(kind, { features: ['auth', 'directory', 'access', 'cameras'] });
    seeded = await seedCatalogue(t, COUNT);
  });
  afterAll(async () => { await t?.stop(); });

  const search = (query: string, user = t.users.trafficViewer) => t.api(`/api/v1/cameras/search?${query}`, { user });

  it('pages through every camera by name, each exactly once', async () => {
    const seen: string[] = [];
    for (let offset = 0; ; offset += 200) {
      const page = await search(`offset=${offset}&limit=200`);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(COUNT);
      seen.push(...page.body.items.map((c: { id: string }) => c.id));
      if (page.body.items.length < 200) break;
    }
    expect(seen).toEqual([...seeded].sort((a, b) => a.name.localeCompare(b.name)).map((c) => c.id));
    const first = (await search('limit=1')).body.items[0];
    expect(first).toMatchObject({ name: 'Grid 0000', departmentName: 'Public Security Bureau', nationalId: '31010100001310000000', access: { live: false } });
  });

  it('filters by department, category, status and area, and combines them', async () => {
    const expectIds = async (query: string, pick: (c: SeededCamera) => boolean) => {
      const page = await search(`${query}&limit=1000`);
      expect(page.status).toBe(200);
      const wanted = seeded.filter(pick).map((c) => c.id).sort();
      expect(page.body.total).toBe(wanted.length);
      expect(page.body.items.map((c: { id: string }) => c.id).sort()).toEqual(wanted);
      return wanted.length;
    };
    expect(await expectIds(`departmentId=${t.departments.traffic}`, (c) => c.departmentId === t.departments.traffic)).toBe(173);
    expect(await expectIds('category=community&status=offline', (c) => c.category === 'community' && c.status === 'offline')).toBeGreaterThan(10);
    const box = { minLat: 31.2035, maxLat: 31.2125, minLon: 121.4455, maxLon: 121.4605 };
    const inBox = (c: SeededCamera) => c.lat >= box.minLat && c.lat <= box.maxLat && c.lon >= box.minLon && c.lon <= box.maxLon;
    const boxQuery = new URLSearchParams(Object.entries(box).map(([k, v]) => [k, String(v)])).toString();
    expect(await expectIds(boxQuery, inBox)).toBeGreaterThan(5);
    await expectIds(`${boxQuery}&status=online`, (c) => inBox(c) && c.status === 'online');
  });

  it('searches words in name, address and national code; wildcards are plain text', async () => {
    const byName = await search('q=grid%20051');
    expect(byName.body.items.map((c: { name: string }) => c.name)).toEqual(['Grid 0051', 'Grid 0510', 'Grid 0511', 'Grid 0512', 'Grid 0513', 'Grid 0514', 'Grid 0515', 'Grid 0516', 'Grid 0517', 'Grid 0518', 'Grid 0519']);
    const byAddress = await search(`q=${encodeURIComponent('福州路 5号')}&limit=100`);
    expect(byAddress.body.total).toBe(seeded.filter((_, i) => i % 5 === 4 && String(i + 1).endsWith('5')).length);
    const byCode = await search('q=31010100001310000077');
    expect(byCode.body.items.map((c: { id: string }) => c.id)).toEqual(['grid-00077']);
    expect((await search('q=%25')).body.total).toBe(0);
    expect((await search('q=_')).body.total).toBe(0);
  });

  it('refuses half an area, an inverted one and oversized pages with a stable code', async () => {
    const half = await search('minLat=31.2&maxLat=31.3');
    expect(half.status).toBe(400);
    expect(half.body.code).toBe('CAMERA_SEARCH_BOX_INVALID');
    const inverted = await search('minLat=31.3&maxLat=31.2&minLon=121&maxLon=122');
    expect(inverted.body.code).toBe('CAMERA_SEARCH_BOX_INVALID');
    expect((await search('limit=5001')).status).toBe(400);
    expect((await t.api('/api/v1/cameras/search')).status).toBe(401);
    // The list for earlier callers answers as before: the whole catalogue as an array.
    const whole = await t.api('/api/v1/cameras', { user: t.users.trafficViewer });
    expect(whole.body).toHaveLength(COUNT);
  });

  it('shows who has access to a camera: every grant to its owner, only their own to others', async () => {
    const camera = seeded.find((c) => c.departmentId === t.departments.ps)!;
    await addGrant(t, t.departments.ps, t.departments.traffic, [camera.id], ['live']);
    await addGrant(t, t.departments.ps, t.departments.community, [camera.id], ['live', 'snapshot']);
    const owner = await t.api(`/api/v1/cameras/${camera.id}/access`, { user: t.users.psViewer });
    expect(owner.body.complete).toBe(true);
    expect(owner.body.grants.map((g: { granteeDepartmentName: string }) => g.granteeDepartmentName).sort()).toEqual(['Riverside Community', 'Traffic Police']);
    const other = await t.api(`/api/v1/cameras/${camera.id}/access`, { user: t.users.trafficViewer });
    expect(other.body).toMatchObject({ complete: false, ownerDepartmentName: 'Public Security Bureau' });
    expect(other.body.grants.map((g: { granteeDepartmentName: string }) => g.granteeDepartmentName)).toEqual(['Traffic Police']);
    expect((await search(`q=${encodeURIComponent(camera.name)}`)).body.items[0].access).toMatchObject({ live: true, snapshot: false });
    expect((await t.api('/api/v1/cameras/nope/access', { user: t.users.psViewer })).status).toBe(404);
  });
});
