import { Type } from '@sinclair/typebox';

/** Settings of the web player: the map's base layer (一张图). */
export const PlayerConfigSchema = Type.Object(
  {
    map: Type.Object(
      {
        tileUrl: Type.String({
          default: '', maxLength: 500,
          description: 'base map tiles as a Leaflet URL template (http(s)://host/{z}/{x}/{y}.png, {s} for subdomains), e.g. the city\'s PGIS or 天地图 service; empty = no tiles, the shipped vector outline only',
        }),
        tileSubdomains: Type.String({ default: 'abc', maxLength: 20, pattern: '^[a-z0-9]*$', description: 'letters that replace {s} in tileUrl' }),
        attribution: Type.String({ default: '', maxLength: 300, description: 'credit line shown for the tiles' }),
        maxZoom: Type.Integer({ minimum: 1, maximum: 22, default: 18 }),
        centerLat: Type.Number({ minimum: -90, maximum: 90, default: 31.2304, description: 'where the map opens when no camera is placed (default: People\'s Square, Shanghai)' }),
        centerLon: Type.Number({ minimum: -180, maximum: 180, default: 121.4737 }),
        zoom: Type.Integer({ minimum: 1, maximum: 22, default: 13 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
