import { api } from '../api.js';
import { barChart, shareRing } from '../charts.js';
import { el } from '../dom.js';
import { formatAge, formatTime } from './workflow-common.js';
import { renderUpstreamPanel } from './viid-upstream-panel.js';

const REFRESH_MS = 30_000;

/** The sharing figures (api/dashboard/README.md has the definitions), refreshed every 30 s while open. */
export async function renderDashboard(root) {
  const body = el('div', { 'data-testid': 'dashboard' });
  const stamp = el('span', { class: 'muted' });
  root.append(el('div', { class: 'toolbar' }, el('h1', {}, 'Sharing dashboard'), stamp), body);

  const load = async () => {
    const f = await api('/api/v1/dashboard/sharing');
    stamp.textContent = `as of ${formatTime(f.at)}; views since ${formatTime(f.views.since)}`;
    const communityBase = f.communityCameras.planned > 0 ? `${f.communityCameras.planned} planned` : `${f.communityCameras.registered} registered`;
    body.replaceChildren(
      el('div', { class: 'rings' },
        shareRing(f.governmentCameras.share, 'Government cameras shared', `${f.governmentCameras.shared} of ${f.governmentCameras.total}`),
        shareRing(f.communityCameras.share, 'Community cameras integrated', `${f.communityCameras.integrated} online of ${communityBase}`),
        shareRing(f.cameras.share, 'Cameras online', `${f.cameras.online} of ${f.cameras.total}`)),
      el('div', { class: 'figures' },
        figure('Active grants', f.activeGrants.total, 'figure-grants'),
        figure('Pending requests', f.pendingRequests.count, 'figure-pending',
          f.pendingRequests.oldestAgeMs === null ? null : `oldest waits ${formatAge(f.pendingRequests.oldestAgeMs)}`),
        figure('Views', f.views.total, 'figure-views')),
      el('div', { class: 'bar-charts' },
        barChart('Active grants by grantee department', f.activeGrants.byGrantee.map((c) => ({ label: c.departmentName, value: c.count }))),
        barChart('Active grants by owner department', f.activeGrants.byOwner.map((c) => ({ label: c.departmentName, value: c.count }))),
        barChart('Pending requests by owner (oldest age)', f.pendingRequests.byOwner.map((c) => ({ label: c.departmentName, value: c.count, note: formatAge(c.oldestAgeMs) }))),
        barChart('Views by department', f.views.byDepartment.map((c) => ({ label: c.departmentName, value: c.count })))));
  };
  await load();
  await renderUpstreamPanel(root);
  const timer = setInterval(() => load().catch(() => {}), REFRESH_MS);
  return () => clearInterval(timer);
}

function figure(label, value, testId, note) {
  return el('div', { class: 'figure', 'data-testid': testId },
    el('strong', {}, String(value)), el('span', {}, label), note ? el('small', { class: 'muted' }, note) : null);
}
