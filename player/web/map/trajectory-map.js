// A plate's trajectory on a small map, for pages that show passes (the trajectory page embeds it).
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { createCameraMap } from './camera-map.js';
import { pointsOf } from './trajectory-points.js';

/** Appends a map with the passes (trajectory GeoJSON features) joined in time order; resolves to a cleanup. */
export async function embedTrajectoryMap(parent, plate, features) {
  const box = el('div', { class: 'trajectory-map', 'data-testid': 'trajectory-map' });
  parent.append(box, el('a', { class: 'button', href: `#/map?plate=${encodeURIComponent(plate)}`, 'data-testid': 'trajectory-on-map' }, t('map.showOnMap')));
  const view = await createCameraMap(box);
  box.dataset.points = String(view.showTrajectory(pointsOf(features)));
  return () => view.destroy();
}
