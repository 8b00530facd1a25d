// How a camera looks on the map: a round marker coloured by status with a glyph for its category, a ring
// when the user has no live access. Icons are CSS classes on a divIcon (no inline styles: the CSP forbids them).
import { term } from '../terms.js';

const GLYPHS = { public_security: '警', traffic: '交', community: '社', other: '•' };
const STATUSES = ['online', 'offline', 'auth_failed', 'unknown'];

export function statusClass(status) {
  return STATUSES.includes(status) ? status : 'unknown';
}

export function cameraIcon(L, camera) {
  const glyph = GLYPHS[camera.category] ?? GLYPHS.other;
  const classes = ['cam-marker', `cam-${statusClass(camera.status)}`, `cam-cat-${camera.category}`, camera.access.live ? 'cam-allowed' : 'cam-denied'];
  return L.divIcon({ className: classes.join(' '), html: `<span>${glyph}</span>`, iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -12] });
}

/** A cluster's icon: its size, coloured by the worst status inside (any offline camera shows). */
export function clusterIcon(L, cluster) {
  const markers = cluster.getAllChildMarkers();
  const offline = markers.some((m) => m.options.camera && m.options.camera.status !== 'online');
  const alerting = markers.some((m) => m.getElement()?.classList.contains('cam-alert'));
  return L.divIcon({
    className: `cam-cluster ${offline ? 'cam-cluster-mixed' : 'cam-cluster-online'}${alerting ? ' cam-alert' : ''}`,
    html: `<span>${markers.length}</span>`, iconSize: [34, 34],
  });
}

/** Category and status in words: the shared terms catalogue (terms.category.*, terms.camera.*). */
export function categoryName(category) {
  return term('category', category);
}

export function statusName(status) {
  return term('camera', statusClass(status));
}
