import { api } from '../api.js';
import { openEventStream, pageNotifications } from '../event-stream.js';
import { has, t } from '../i18n/i18n.js';
import { noticeWords } from '../notification-words.js';
import { AlertTone } from './alert-tone.js';
import { NavBadges } from './nav-badges.js';
import { NotifyMenu } from './notify-menu.js';
import { loadNotifySettings } from './notify-settings.js';
import { ToastStack } from './toast-stack.js';

const POLL_MS = 30_000;
const ALERT_READERS = ['viewer', 'approver', 'admin'];
const NOTIFICATION_LINKS = { 'request.created': '#/approvals', 'request.approved': '#/requests', 'request.rejected': '#/requests', 'request.cancelled': '#/approvals' };

/**
 * Makes alerts and requests reach the logged-in person on every page: count badges on the menu (refreshed
 * when a stream says something changed, when this page changed something through the API, on page
 * changes and every 30 s), a toast with the car crop for each watchlist hit, an optional sound and
 * desktop notifications. One per logged-in tab; attach(top) after each header render; stop() undoes
 * everything (logout).
 */
export class ConsoleNotifier {
  constructor(user) {
    this.user = user;
    this.settings = loadNotifySettings(user.id);
    this.tone = new AlertTone();
    this.menu = new NotifyMenu({ userId: user.id, settings: this.settings, tone: this.tone });
    this.badges = new NavBadges();
    this.toasts = new ToastStack();
    this.cameraNames = new Map();
    this.seenAlerts = new Set();
    this.refreshTimer = null;
    this.stops = [];

    this.stops.push(pageNotifications.subscribe((name, data) => this.onNotification(name, data)));
    if (ALERT_READERS.includes(user.role)) {
      this.stops.push(openEventStream('/api/v1/checkpoint/alerts/stream', {
        onEvent: (name, alert) => { if (name === 'alert') this.onAlert(alert); },
        onState: (state) => { this.toasts.node.dataset.alertStream = state; },
      }));
    }
    const soon = () => this.refreshSoon();
    for (const [target, event] of [[window, 'hub:mutated'], [window, 'hashchange'], [window, 'focus']]) {
      target.addEventListener(event, soon);
      this.stops.push(() => target.removeEventListener(event, soon));
    }
    const poll = setInterval(soon, POLL_MS);
    this.stops.push(() => clearInterval(poll));
    this.refresh();
  }

  async refresh() {
    try {
      const counts = await api('/api/v1/console/counts');
      if (!this.stopped) this.badges.update(counts);
    } catch { /* the next trigger tries again */ }
  }

  refreshSoon() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), 250);
  }

  async cameraName(cameraId) {
    if (!this.cameraNames.has(cameraId)) {
      this.cameraNames.set(cameraId, api(`/api/v1/cameras/${encodeURIComponent(cameraId)}`).then((c) => c.name).catch(() => t('notify.cameraFallback', { id: cameraId.slice(0, 8) })));
    }
    return this.cameraNames.get(cameraId);
  }

  async onAlert(alert) {
    if (this.seenAlerts.has(alert.id)) return;
    this.seenAlerts.add(alert.id);
    this.refreshSoon();
    const camera = await this.cameraName(alert.cameraId);
    if (this.stopped) return;
    const toast = this.toasts.alert(alert, camera);
    toast.dataset.sound = this.settings.sound ? (this.tone.play() ? 'played' : 'locked') : 'off';
    toast.dataset.desktop = this.desktop(t('notify.alertTitle'), t('notify.alertBody', { plate: alert.plate, camera }), alert.id, '#/watchlists');
  }

  onNotification(name, data) {
    if (name !== 'notification') return;
    this.refreshSoon();
    const key = `notify.kind.${data.kind}`;
    const title = has(key) ? t(key) : data.kind;
    const href = NOTIFICATION_LINKS[data.kind] ?? '#/notifications';
    // The stored sentence in the user's language (who, why); the server's own words when its shape is unknown.
    const words = noticeWords(data.kind, data.message);
    const detail = words ? t(words.key, words.params) : data.message;
    this.toasts.notice(title, detail, href);
    if (this.settings.sound) this.tone.play();
    this.desktop(title, detail, data.id, href);
  }

  /** A desktop notification when the user turned them on and the browser allows them; says what happened. */
  desktop(title, body, tag, href) {
    if (!this.settings.desktop) return 'off';
    if (typeof window.Notification !== 'function' || Notification.permission !== 'granted') return 'denied';
    try {
      const shown = new Notification(title, { body, tag, lang: document.documentElement.lang || 'zh-CN' });
      shown.onclick = () => { window.focus(); location.hash = href; shown.close(); };
      return 'sent';
    } catch {
      return 'failed';
    }
  }

  /** A new header was rendered: the bell and the toggle's total go back into it. */
  attach(top) {
    this.menu.attach(top);
    this.badges.attach(top);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.refreshTimer);
    for (const stop of this.stops.splice(0)) stop();
    this.badges.stop();
    this.menu.stop();
    this.toasts.stop();
    this.tone.close();
  }
}

let current = null;

/** Called after every header render: one notifier for the logged-in user, none when logged out. */
export function syncConsoleNotifier(user, top) {
  if (current && (!user || current.user.id !== user.id)) {
    current.stop();
    current = null;
  }
  if (user && !current) current = new ConsoleNotifier(user);
  current?.attach(top);
}
