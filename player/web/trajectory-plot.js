import { svg } from './charts.js';
import { t } from './i18n/i18n.js';

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = 40;

/**
 * The passes of a trajectory as an inline SVG: cameras placed by longitude (x) and latitude (y), scaled to fit,
 * joined in time order. No map tiles: the player loads nothing from outside (CSP default-src 'self').
 * points: [{ lat, lon, label, order }] in time order.
 */
export function trajectoryPlot(points) {
  const placed = points.filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon));
  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'trajectory-plot', role: 'img', 'aria-label': t('checkpoint.plotLabel'), 'data-testid': 'trajectory-plot' });
  if (placed.length === 0) return root;
  const lats = placed.map((p) => p.lat);
  const lons = placed.map((p) => p.lon);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  // Longitude degrees shrink with latitude; scale them so the plot keeps the real shape.
  const xScale = Math.cos((midLat * Math.PI) / 180);
  const spanX = Math.max((Math.max(...lons) - Math.min(...lons)) * xScale, 1e-6);
  const spanY = Math.max(Math.max(...lats) - Math.min(...lats), 1e-6);
  const scale = Math.min((WIDTH - 2 * MARGIN) / spanX, (HEIGHT - 2 * MARGIN) / spanY);
  const x = (lon) => WIDTH / 2 + ((lon - (Math.min(...lons) + Math.max(...lons)) / 2) * xScale) * scale;
  const y = (lat) => HEIGHT / 2 - (lat - midLat) * scale;

  if (placed.length >= 2) {
    root.append(svg('polyline', { class: 'trajectory-path', points: placed.map((p) => `${x(p.lon).toFixed(1)},${y(p.lat).toFixed(1)}`).join(' ') }));
  }
  // One marker per camera place, labelled with the camera and the pass numbers seen there.
  const places = new Map();
  for (const p of placed) {
    const key = `${p.lat},${p.lon}`;
    const place = places.get(key) ?? { ...p, orders: [] };
    place.orders.push(p.order);
    places.set(key, place);
  }
  for (const place of places.values()) {
    const cx = x(place.lon);
    const cy = y(place.lat);
    root.append(svg('g', { class: 'trajectory-camera', 'data-testid': 'trajectory-point' },
      svg('title', {}, `${place.label} (${place.lat}, ${place.lon})`),
      svg('circle', { cx: cx.toFixed(1), cy: cy.toFixed(1), r: 6 }),
      svg('text', { x: (cx + 9).toFixed(1), y: (cy + 4).toFixed(1) }, `${place.orders.join(', ')} · ${place.label}`)));
  }
  return root;
}
