import { api } from '../api.js';
import { barChart, shareRing } from '../charts.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { formatAge, formatTime } from './workflow-common.js';
import { renderUpstreamPanel } from './viid-upstream-panel.js';
import { recordingStoragePanel } from './recording-storage.js';

const REFRESH_MS = 30_000;

/** The sharing figures (api/dashboard/README.md has the definitions), refreshed every 30 s while open. */
export async function renderDashboard(root, { signal }) {
  const body = el('div', { 'data-testid': 'dashboard' });
  const stamp = el('span', { class: 'muted' });
  root.append(el('div', { class: 'toolbar' }, el('h1', {}, t('workflow.dashboard')), stamp), body);

  const load = async () => {
    const f = await api('/api/v1/dashboard/sharing', { signal });
    stamp.textContent = t('workflow.asOf', { at: formatTime(f.at), since: formatTime(f.views.since) });
    const communityBase = f.communityCameras.planned > 0 ? t('workflow.planned', { count: f.communityCameras.planned }) : t('workflow.registered', { count: f.communityCameras.registered });
    body.replaceChildren(
      el('div', { class: 'rings' },
        shareRing(f.governmentCameras.share, t('workflow.ringGovernment'), t('workflow.ofTotal', { part: f.governmentCameras.shared, total: f.governmentCameras.total })),
        shareRing(f.communityCameras.share, t('workflow.ringCommunity'), t('workflow.onlineOf', { part: f.communityCameras.integrated, base: communityBase })),
        shareRing(f.cameras.share, t('workflow.ringOnline'), t('workflow.ofTotal', { part: f.cameras.online, total: f.cameras.total }))),
      el('div', { class: 'figures' },
        figure(t('workflow.figureGrants'), f.activeGrants.total, 'figure-grants'),
        figure(t('workflow.figurePending'), f.pendingRequests.count, 'figure-pending',
          f.pendingRequests.oldestAgeMs === null ? null : t('workflow.oldestWaits', { age: formatAge(f.pendingRequests.oldestAgeMs) })),
        figure(t('workflow.figureViews'), f.views.total, 'figure-views')),
      el('div', { class: 'bar-charts' },
        barChart(t('workflow.barByGrantee'), f.activeGrants.byGrantee.map((c) => ({ label: c.departmentName, value: c.count }))),
        barChart(t('workflow.barByOwner'), f.activeGrants.byOwner.map((c) => ({ label: c.departmentName, value: c.count }))),
        barChart(t('workflow.barPending'), f.pendingRequests.byOwner.map((c) => ({ label: c.departmentName, value: c.count, note: formatAge(c.oldestAgeMs) }))),
        barChart(t('workflow.barViews'), f.views.byDepartment.map((c) => ({ label: c.departmentName, value: c.count })))),
      // Absent when the hub runs without the recording feature.
      await recordingStoragePanel().catch(() => ''));
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
