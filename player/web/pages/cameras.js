import { api } from '../api.js';
import { el } from '../dom.js';

const CATEGORY_NAMES = { public_security: 'Public security', traffic: 'Traffic', community: 'Community', other: 'Other' };

/** The catalogue grouped by department, then category, with status and what the user may do. */
export async function renderCameras(root) {
  const cameras = await api('/api/v1/cameras');
  const selected = new Set();
  const wallLink = el('a', { class: 'button', href: '#/wall/4', 'data-testid': 'open-wall' }, 'Open wall with selected');
  const updateWall = () => {
    const size = [1, 4, 9, 16].find((n) => n >= selected.size) ?? 16;
    wallLink.setAttribute('href', `#/wall/${size}?ids=${[...selected].map(encodeURIComponent).join(',')}`);
  };
  root.append(el('div', { class: 'toolbar' }, el('h1', {}, 'Cameras'), wallLink));
  if (cameras.length === 0) root.append(el('p', {}, 'No cameras are registered yet.'));

  const byDepartment = new Map();
  for (const camera of cameras) {
    const dept = byDepartment.get(camera.departmentName) ?? new Map();
    byDepartment.set(camera.departmentName, dept);
    const list = dept.get(camera.category) ?? [];
    dept.set(camera.category, list);
    list.push(camera);
  }
  for (const [department, categories] of [...byDepartment.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const section = el('section', { class: 'department', 'data-testid': 'department' }, el('h2', {}, department || 'Unknown department'));
    for (const [category, list] of categories) {
      section.append(el('h3', {}, CATEGORY_NAMES[category] ?? category));
      section.append(el('ul', { class: 'camera-list' }, list.map((camera) => cameraRow(camera, selected, updateWall))));
    }
    root.append(section);
  }
}

function cameraRow(camera, selected, onSelect) {
  const status = el('span', { class: `badge status-${camera.status}`, 'data-testid': 'status' }, camera.status);
  const actions = camera.access.live
    ? [
      el('a', { class: 'button', href: `#/live/${encodeURIComponent(camera.id)}`, 'data-testid': 'watch' }, 'Watch'),
      el('label', { class: 'pick' }, el('input', {
        type: 'checkbox', 'data-testid': 'pick',
        onchange: (event) => { if (event.target.checked) selected.add(camera.id); else selected.delete(camera.id); onSelect(); },
      }), 'wall'),
    ]
    : [el('span', { class: 'badge denied' }, 'no access'), el('a', { href: `#/request/${encodeURIComponent(camera.id)}`, 'data-testid': 'request-access' }, 'Request access')];
  return el('li', { class: 'camera', 'data-camera-id': camera.id, 'data-testid': 'camera' },
    el('span', { class: 'name' }, camera.name), status,
    camera.ptz ? el('span', { class: 'badge' }, 'PTZ') : null,
    el('span', { class: 'actions' }, actions,
      camera.analyticsEnabled && camera.access.events ? el('a', { class: 'button', href: `#/crowd/${encodeURIComponent(camera.id)}`, 'data-testid': 'crowd-link' }, 'Crowd') : null));
}
