import { api } from '../api.js';
import { el } from '../dom.js';
import { openNotificationStream } from '../event-stream.js';
import { formatTime } from './workflow-common.js';

const LINKS = {
  'request.created': '#/approvals', 'request.approved': '#/requests', 'request.rejected': '#/requests', 'request.cancelled': '#/approvals',
  'grant.revoked': '#/grants', 'grant.expired': '#/grants', 'grant.emergency': '#/grants', 'grant.reviewed': '#/grants',
};

/** My notifications: the stored list, then live ones from the SSE stream (read with fetch: the API wants the bearer header). */
export async function renderNotifications(root) {
  const state = el('span', { class: 'badge', 'data-testid': 'stream-state' }, 'connecting…');
  root.append(el('div', { class: 'toolbar' }, el('h1', {}, 'Notifications'), state));
  const list = el('ul', { class: 'notifications', 'data-testid': 'notifications' });
  root.append(list);
  const seen = new Set();

  const item = (n, live = false) => {
    seen.add(n.id);
    const node = el('li', { class: n.readAt ? 'read' : 'unread', 'data-testid': 'notification', 'data-kind': n.kind },
      el('span', { class: 'when' }, formatTime(n.createdAt)),
      el('span', { class: 'badge' }, n.kind),
      live ? el('span', { class: 'badge live' }, 'new') : null,
      el('span', { class: 'message' }, n.message),
      LINKS[n.kind] ? el('a', { href: LINKS[n.kind] }, 'open') : null);
    if (!n.readAt) {
      node.append(el('button', {
        type: 'button', 'data-testid': 'mark-read',
        onclick: async (event) => {
          await api(`/api/v1/access/notifications/${encodeURIComponent(n.id)}/read`, { method: 'POST' }).catch(() => {});
          node.className = 'read';
          event.target.remove();
        },
      }, 'Mark read'));
    }
    return node;
  };

  const stored = await api('/api/v1/access/notifications?limit=100');
  if (stored.length === 0) list.append(el('li', { class: 'muted', 'data-testid': 'no-notifications' }, 'No notifications yet.'));
  list.append(...stored.map((n) => item(n)));

  return openNotificationStream({
    onState: (s) => { state.textContent = s === 'open' ? 'live' : s; },
    onEvent: (name, data) => {
      list.querySelector('[data-testid=no-notifications]')?.remove();
      if (name === 'notification' && !seen.has(data.id)) list.prepend(item(data, true));
      else if (name === 'grant.ended') {
        list.prepend(el('li', { class: 'unread', 'data-testid': 'notification', 'data-kind': 'grant.ended' },
          el('span', { class: 'when' }, formatTime(data.at)), el('span', { class: 'badge' }, 'grant.ended'),
          el('span', { class: 'message' }, `A grant of your department was ${data.reason}; live views on it stop.`), el('a', { href: '#/grants' }, 'open')));
      }
    },
  });
}
