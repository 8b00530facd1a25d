import { el } from './dom.js';
import { t } from './i18n/i18n.js';

// The menu: one entry per line. The API decides access anyway; roles only keep the menu relevant.
// Other pages add their entry here (label key in the `nav` catalogue); `badge` entries get a count bubble
// that setNavBadge(id, count) fills (e.g. waiting requests, unacknowledged alerts).
const ALL = ['viewer', 'approver', 'admin', 'auditor'];
const READERS = ['viewer', 'approver', 'admin']; // checkpoint passes, alerts, watchlists and crowd counts
export const NAV_ENTRIES = [
  { id: 'cameras', href: '#/cameras', roles: ALL },
  { id: 'map', href: '#/map', roles: ['viewer', 'approver', 'admin'] },
  { id: 'wall', href: '#/wall/4', roles: ALL },
  { id: 'checkpoint', href: '#/checkpoint', roles: READERS },
  { id: 'watchlists', href: '#/watchlists', roles: READERS, badge: true },
  { id: 'crowd', href: '#/crowd', roles: READERS },
  { id: 'playback', href: '#/playback', roles: READERS },
  { id: 'requests', href: '#/requests', roles: ['viewer', 'approver', 'admin'] },
  { id: 'approvals', href: '#/approvals', roles: ['approver', 'admin'], badge: true },
  { id: 'grants', href: '#/grants', roles: ALL },
  { id: 'notifications', href: '#/notifications', roles: ALL, badge: true },
  { id: 'audit', href: '#/audit', roles: ['auditor', 'admin'] },
  { id: 'dashboard', href: '#/dashboard', roles: ALL },
];

const badgeCounts = new Map();

/** The menu links for this user; `active` is the page on screen. */
export function navLinks(user, active) {
  return NAV_ENTRIES.filter((entry) => entry.roles.includes(user.role)).map((entry) => {
    const page = entry.href.slice(2).split('/')[0];
    return el('a', { href: entry.href, 'data-testid': `nav-${entry.id}`, class: page === active ? 'active' : null, 'aria-current': page === active ? 'page' : null },
      t(`nav.${entry.id}`), entry.badge ? badgeNode(entry.id) : null);
  });
}

function badgeNode(id) {
  const count = badgeCounts.get(id) ?? 0;
  return el('span', { class: 'nav-badge', 'data-testid': `nav-badge-${id}`, hidden: count === 0 }, count > 99 ? '99+' : String(count));
}

/** Shows `count` on the menu entry `id` (0 hides the bubble); kept across header re-renders. */
export function setNavBadge(id, count) {
  badgeCounts.set(id, count);
  for (const node of document.querySelectorAll(`[data-testid="nav-badge-${id}"]`)) {
    node.hidden = count === 0;
    node.textContent = count > 99 ? '99+' : String(count);
  }
}
