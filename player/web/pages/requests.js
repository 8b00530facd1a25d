import { api } from '../api.js';
import { el } from '../dom.js';
import { badge, describeTarget, formatTime, hashFilter, loadDirectory, resultLine, scopesText, table } from './workflow-common.js';

const STATUSES = ['', 'pending', 'approved', 'rejected', 'cancelled'];

/** My access requests with their status; pending ones can be withdrawn. New requests start from a camera. */
export async function renderRequests(root, { query }) {
  const directory = await loadDirectory();
  const { value: status, select: filter } = hashFilter({ page: 'requests', name: 'status', values: STATUSES, query, allLabel: 'all', testId: 'status-filter' });
  root.append(el('div', { class: 'toolbar' }, el('h1', {}, 'My requests'), filter,
    el('a', { class: 'button', href: '#/cameras' }, 'New request (pick a camera)')));
  const requestable = directory.cameras.filter((c) => !c.access.live);
  if (requestable.length) {
    root.append(el('p', { class: 'muted' }, 'Cameras you cannot watch yet: ',
      requestable.slice(0, 8).map((c) => [el('a', { href: `#/request/${encodeURIComponent(c.id)}` }, c.name), ' '])));
  }
  const list = el('div', {});
  root.append(list);

  const load = async () => {
    const requests = await api(`/api/v1/access/requests/mine${status ? `?status=${status}` : ''}`);
    list.replaceChildren(requests.length === 0
      ? el('p', { 'data-testid': 'no-requests' }, 'No requests.')
      : table(['Asked', 'Owner', 'Cameras', 'Scopes', 'Window', 'Purpose', 'Status', ''], requests.map((r) => row(r, directory, load)), { 'data-testid': 'my-requests' }));
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
    }, 'Cancel')
    : null;
  const decision = request.decisionReason ? el('div', { class: 'muted' }, `Reason: ${request.decisionReason}`) : null;
  const grant = request.grantId ? el('a', { href: '#/grants' }, 'grant') : null;
  return el('tr', { 'data-testid': 'request-row', 'data-request-id': request.id },
    el('td', {}, formatTime(request.createdAt)),
    el('td', {}, directory.department(request.ownerDepartmentId)),
    el('td', {}, describeTarget(request, directory)),
    el('td', {}, scopesText(request)),
    el('td', {}, `${formatTime(request.startsAt)} → ${formatTime(request.endsAt)}`),
    el('td', {}, request.purpose),
    el('td', {}, badge(request.status), ' ', grant, decision),
    el('td', {}, cancel, outcome.node));
}
