import { t } from '../i18n/i18n.js';

// Which menu entry shows which count (entries are found by their link, whoever builds the header).
const ENTRIES = [
  { href: '#/approvals', count: 'pendingRequests', name: 'approvals', label: 'notify.badgeRequests' },
  { href: '#/watchlists', count: 'unacknowledgedAlerts', name: 'watchlists', label: 'notify.badgeAlerts' },
  { href: '#/notifications', count: 'unreadNotifications', name: 'notifications', label: 'notify.badgeNotifications' },
];

/**
 * A count badge on each menu entry that has something waiting. The header is rebuilt on every page change,
 * so a MutationObserver puts the badges back whenever the menu's links are replaced.
 */
export class NavBadges {
  /** onApply(top) runs whenever the header changed, to put back other things that live in it (the bell). */
  constructor(top, onApply = () => {}) {
    this.top = top;
    this.onApply = onApply;
    this.counts = {};
    this.observer = new MutationObserver(() => this.apply());
    this.observer.observe(top, { childList: true, subtree: true });
  }

  update(counts) {
    this.counts = counts;
    this.apply();
  }

  apply() {
    this.observer.disconnect();
    try {
      this.onApply(this.top);
      for (const entry of ENTRIES) {
        const value = this.counts[entry.count];
        for (const link of this.top.querySelectorAll(`a[href="${entry.href}"]`)) {
          let badge = link.querySelector('.nav-badge');
          if (!badge) {
            badge = document.createElement('span');
            badge.className = 'nav-badge';
            badge.dataset.testid = `badge-${entry.name}`;
            link.append(badge);
          }
          const count = typeof value === 'number' ? value : 0;
          if (badge.dataset.count !== String(count)) {
            badge.dataset.count = String(count);
            badge.textContent = count > 99 ? '99+' : String(count);
            badge.hidden = count === 0;
            badge.title = t(entry.label, { count });
            badge.setAttribute('aria-label', badge.title);
          }
        }
      }
    } finally {
      this.observer.observe(this.top, { childList: true, subtree: true });
    }
  }

  stop() {
    this.observer.disconnect();
    for (const badge of this.top.querySelectorAll('.nav-badge')) badge.remove();
  }
}
