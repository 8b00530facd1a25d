import { afterAll, beforeAll, expect, it } from 'vitest';
import { describe } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { tileOrigins } from '../../player/map-config.ts';

const MAP = { tileSubdomains: 'abc', attribution: '', maxZoom: 18, centerLat: 31.2304, centerLon: 121.4737, zoom: 13 };

describe('map base layer from config', () => {
  let t: TestHub;
  beforeAll(async () => {
    // As a city sets it: the intranet 天地图/PGIS service by environment variable.
    t = await startTestHub('sqlite', { features: ['auth', 'directory', 'player'], env: { HUB_PLAYER_MAP_TILE_URL: 'http://{s}.pgis.example.gov.cn:8080/tiles/{z}/{x}/{y}.png' } });
  });
  afterAll(async () => { await t?.stop(); });

  it('hands the tile URL to logged-in users and lets the page load tiles from that server only', async () => {
    const config = await t.api('/api/v1/player/map-config', { user: t.users.psViewer });
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ tileUrl: 'http://{s}.pgis.example.gov.cn:8080/tiles/{z}/{x}/{y}.png', center: { lat: 31.2304, lon: 121.4737 }, outlineUrl: '/player/map/shanghai-outline.geojson' });
    expect((await t.api('/api/v1/player/map-config')).status).toBe(401);
    const page = await fetch(`${t.url}/player/`);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("img-src 'self' blob: data: http://a.pgis.example.gov.cn:8080 http://b.pgis.example.gov.cn:8080 http://c.pgis.example.gov.cn:8080;");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self';");
  });

  it('serves the shipped outline, with its source, and Leaflet from the hub itself', async () => {
    const outline = await fetch(`${t.url}/player/map/shanghai-outline.geojson`);
    expect(outline.headers.get('content-type')).toContain('application/geo+json');
    const geojson = (await outline.json()) as { type: string; properties: { source: string }; features: Array<{ properties: { kind: string } }> };
    expect(geojson.type).toBe('FeatureCollection');
    expect(geojson.properties.source).toContain('Drawn by hand');
    expect(new Set(geojson.features.map((f) => f.properties.kind))).toEqual(new Set(['river', 'expressway', 'road', 'park', 'district-core', 'district']));
    for (const name of ['leaflet.js', 'leaflet.css', 'leaflet.markercluster.js', 'MarkerCluster.css']) {
      expect((await fetch(`${t.url}/player/vendor/${name}`)).status).toBe(200);
    }
    expect((await fetch(`${t.url}/player/vendor/leaflet.css`)).headers.get('content-type')).toContain('text/css');
  });
});

it('refuses a tile URL the browser could not load at start-up', () => {
  expect(tileOrigins({ ...MAP, tileUrl: '' })).toEqual([]);
  expect(tileOrigins({ ...MAP, tileUrl: 'https://t0.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&l={z}' })).toEqual(['https://t0.tianditu.gov.cn']);
  expect(() => tileOrigins({ ...MAP, tileUrl: 'ftp://tiles.example/{z}/{x}/{y}.png' })).toThrow(/http/);
  expect(() => tileOrigins({ ...MAP, tileUrl: 'not a url' })).toThrow(/URL template/);
});
