import { api } from '../api.js';
import { el } from '../dom.js';
import { openNotificationStream } from '../event-stream.js';
import { t } from '../i18n/i18n.js';
import { noticeWords } from '../notification-words.js';
import { term } from '../terms.js';
import { formatTime } from './workflow-common.js';

const LINKS = {
  'request.created': '#/approvals', 'request.approved': '#/requests', 'request.rejected': '#/requests', 'request.cancelled': '#/approvals',
  'grant.revoked': '#/grants', 'grant.expired': '#/grants', 'grant.emergency': '#/grants', 'grant.reviewed': '#/grants',
};

/**
 * My notifications: the stored list, then live ones from the SSE stream (read with fetch: the API wants the bearer header).
 * Each line in the user's language (notification-words.js); a sentence the player does not know is shown as stored.
 */
export async function renderNotifications(root, { signal }) {
  const state = el('span', { class: 'badge', 'data-testid': 'stream-state', 'data-state': 'connecting' }, term('state', 'connecting'));
  root.append(el('div', { class: 'toolbar' }, el('h1', {}, t('workflow.notifications')), state));
  const list = el('ul', { class: 'notifications', 'data-testid': 'notifications' });
  root.append(list);
  const seen = new Set();

  const item = (n, live = false) => {
    seen.add(n.id);
    const node = el('li', { class: n.readAt ? 'read' : 'unread', 'data-testid': 'notification', 'data-kind': n.kind },
      el('span', { class: 'when' }, formatTime(n.createdAt)),
      el('span', { class: 'badge', 'data-testid': 'notification-kind' }, term('kind', n.kind)),
      live ? el('span', { class: 'badge live' }, term('state', 'new')) : null,
      el('span', { class: 'message', 'data-testid': 'notification-message' }, messageOf(n)),
      LINKS[n.kind] ? el('a', { href: LINKS[n.kind] }, t('common.open')) : null);
    if (!n.readAt) {
      node.append(el('button', {
        type: 'button', 'data-testid': 'mark-read',
        onclick: async (event) => {
          await api(`/api/v1/access/notifications/${encodeURIComponent(n.id)}/read`, { method: 'POST' }).catch(() => {});
          node.className = 'read';
          event.target.remove();
        },
      }, t('workflow.markRead')));
    }
    return node;
  };

  const stored = await api('/api/v1/access/notifications?limit=100', { signal });
  if (stored.length === 0) list.append(el('li', { class: 'muted', 'data-testid': 'no-notifications' }, t('workflow.noNotifications')));
  list.append(...stored.map((n) => item(n)));

  return openNotificationStream({
    onState: (s) => { const code = s === 'open' ? 'live' : s; state.dataset.state = code; state.textContent = term('state', code); },
    onEvent: (name, data) => {
      list.querySelector('[data-testid=no-notifications]')?.remove();
      if (name === 'notification' && !seen.has(data.id)) list.prepend(item(data, true));
      else if (name === 'grant.ended') {
        list.prepend(el('li', { class: 'unread', 'data-testid': 'notification', 'data-kind': 'grant.ended' },
          el('span', { class: 'when' }, formatTime(data.at)), el('span', { class: 'badge' }, term('kind', 'grant.ended')),
          el('span', { class: 'message' }, t(data.reason === 'expired' ? 'workflow.grantEndedExpired' : 'workflow.grantEndedRevoked')),
          el('a', { href: '#/grants' }, t('common.open'))));
      }
    },
  });
}

function messageOf(notification) {
  const words = noticeWords(notification.kind, notification.message);
  return words ? t(words.key, words.params) : notification.message;
}
