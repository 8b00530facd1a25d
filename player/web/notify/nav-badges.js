import { t } from '../i18n/i18n.js';
import { setNavBadge } from '../nav.js';

// Which menu entry (nav.js id) shows which count.
const ENTRIES = [
  { id: 'approvals', count: 'pendingRequests', label: 'notify.badgeRequests' },
  { id: 'watchlists', count: 'unacknowledgedAlerts', label: 'notify.badgeAlerts' },
  { id: 'notifications', count: 'unreadNotifications', label: 'notify.badgeNotifications' },
];

/**
 * The counts on the menu: each entry's bubble (nav.js keeps them across header renders), and on a phone,
 * where the menu folds behind its toggle, the sum on the toggle so a waiting request is seen there too.
 */
export class NavBadges {
  constructor() {
    this.counts = {};
  }

  update(counts) {
    this.counts = counts;
    for (const entry of ENTRIES) {
      const count = typeof counts[entry.count] === 'number' ? counts[entry.count] : 0;
      setNavBadge(entry.id, count);
      for (const node of document.querySelectorAll(`[data-testid="nav-badge-${entry.id}"]`)) {
        node.dataset.count = String(count);
        node.title = t(entry.label, { count });
      }
    }
    this.attach(document.getElementById('top'));
  }

  /** The total on the phone menu's toggle of a freshly rendered header. */
  attach(top) {
    const toggle = top?.querySelector('[data-testid=menu-toggle]');
    if (!toggle) return;
    const total = ENTRIES.reduce((sum, entry) => sum + (typeof this.counts[entry.count] === 'number' && top.querySelector(`[data-testid="nav-badge-${entry.id}"]`) ? this.counts[entry.count] : 0), 0);
    let badge = toggle.querySelector('.nav-badge');
    if (!badge) {
      badge = document.createElement('span');
      badge.className = 'nav-badge';
      badge.dataset.testid = 'menu-badge';
      toggle.append(badge);
    }
    badge.dataset.count = String(total);
    badge.textContent = total > 99 ? '99+' : String(total);
    badge.hidden = total === 0;
  }

  stop() {
    for (const entry of ENTRIES) setNavBadge(entry.id, 0);
    document.querySelector('[data-testid=menu-badge]')?.remove();
  }
}
