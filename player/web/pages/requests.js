import { api } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { badge, describeTarget, formatTime, formatWindow, hashFilter, loadDirectory, resultLine, scopesText, table } from './workflow-common.js';

const STATUSES = ['', 'pending', 'approved', 'rejected', 'cancelled'];

/** My access requests with their status; pending ones can be withdrawn. New requests start from a camera. */
export async function renderRequests(root, { query, signal }) {
  const directory = await loadDirectory(signal);
  const { value: status, select: filter } = hashFilter({ page: 'requests', name: 'status', values: STATUSES, query, allLabel: t('workflow.allStatuses'), testId: 'status-filter', group: 'status' });
  root.append(el('div', { class: 'toolbar' }, el('h1', {}, t('workflow.myRequests')), filter,
    el('a', { class: 'button', href: '#/cameras' }, t('workflow.newRequest'))));
  const requestable = directory.cameras.filter((c) => !c.access.live);
  if (requestable.length) {
    root.append(el('p', { class: 'muted', 'data-testid': 'requestable' }, t('workflow.requestable'),
      requestable.slice(0, 8).map((c) => [el('a', { href: `#/request/${encodeURIComponent(c.id)}` }, c.name), ' '])));
  }
  const list = el('div', {});
  root.append(list);

  const load = async () => {
    const requests = await api(`/api/v1/access/requests/mine${status ? `?status=${status}` : ''}`, { signal });
    list.replaceChildren(requests.length === 0
      ? el('p', { 'data-testid': 'no-requests' }, t('workflow.noRequests'))
      : table([t('workflow.colAsked'), t('workflow.colOwner'), t('workflow.colCameras'), t('workflow.colScopes'), t('workflow.colWindow'), t('workflow.colPurpose'), t('workflow.colStatus'), ''],
        requests.map((r) => row(r, directory, load)), { 'data-testid': 'my-requests' }));
  };
  await load();
}

function row(request, directory, reload) {
  const outcome = resultLine('request-action-result');
  const cancel = request.status === 'pending'
    ? el('button', {
      type: 'button', 'data-testid': 'cancel-request',
      onclick: async () => {
        try { await api(`/api/v1/access/requests/${encodeURIComponent(request.id)}/cancel`, { method: 'POST' }); await reload(); } catch (error) { outcome.fail(error); }
      },
    }, t('common.cancel'))
    : null;
  const decision = request.decisionReason ? el('div', { class: 'muted' }, t('workflow.reason', { reason: request.decisionReason })) : null;
  const grant = request.grantId ? el('a', { href: '#/grants' }, t('workflow.grantLink')) : null;
  return el('tr', { 'data-testid': 'request-row', 'data-request-id': request.id },
    el('td', {}, formatTime(request.createdAt)),
    el('td', {}, directory.department(request.ownerDepartmentId)),
    el('td', { 'data-testid': 'request-cameras' }, describeTarget(request, directory)),
    el('td', {}, scopesText(request)),
    el('td', {}, formatWindow(request.startsAt, request.endsAt)),
    el('td', {}, request.purpose),
    el('td', {}, badge(request.status, 'status'), ' ', grant, decision),
    el('td', {}, cancel, outcome.node));
}
