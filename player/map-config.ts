import { Type, type Static } from '@sinclair/typebox';
import type { HubRoutes } from '../api/kernel/hub-feature.ts';
import { responses } from '../api/kernel/http/common-schemas.ts';
import type { PlayerConfigSchema } from './player-config.ts';

type MapConfig = Static<typeof PlayerConfigSchema>['map'];

const MapConfigView = Type.Object({
  tileUrl: Type.String(), tileSubdomains: Type.String(), attribution: Type.String(), maxZoom: Type.Integer(),
  center: Type.Object({ lat: Type.Number(), lon: Type.Number() }), zoom: Type.Integer(),
  /** The vector outline the hub ships, drawn under the cameras whether or not there are tiles. */
  outlineUrl: Type.String(),
});

/**
 * Origins the player loads tiles from (each {s} subdomain spelled out), for the page's img-src. A tile URL
 * that is not http(s) fails at start-up, since a browser would refuse it anyway.
 */
export function tileOrigins(map: MapConfig): string[] {
  if (!map.tileUrl) return [];
  const subdomains = map.tileUrl.includes('{s}') ? [...(map.tileSubdomains || 'a')] : [''];
  return [...new Set(subdomains.map((s) => {
    let url: URL;
    try {
      url = new URL(map.tileUrl.replace('{s}', s).replace(/\{[a-z]+\}/gi, '0'));
    } catch (cause) {
      throw new Error(`player.map.tileUrl is not a URL template: ${map.tileUrl}`, { cause });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('player.map.tileUrl must be http(s)');
    return url.origin;
  }))];
}

/** GET /player/map-config: what the map page needs to draw its base layer. */
export function registerMapConfigRoutes(app: HubRoutes, map: MapConfig): void {
  app.get('/player/map-config', {
    config: { access: 'user' },
    schema: { tags: ['player'], summary: 'The map\'s base layer: tile URL template (empty = none) and where it opens', response: responses({ 200: MapConfigView }) },
  }, async () => ({
    tileUrl: map.tileUrl, tileSubdomains: map.tileSubdomains, attribution: map.attribution, maxZoom: map.maxZoom,
    center: { lat: map.centerLat, lon: map.centerLon }, zoom: map.zoom, outlineUrl: '/player/map/shanghai-outline.geojson',
  }));
}
