import { apiBlobUrl } from '../api.js';
import { el } from '../dom.js';
import { formatDateTime, t } from '../i18n/i18n.js';

const ALERT_SHOWN_MS = 60_000;
const NOTICE_SHOWN_MS = 12_000;
const MAX_TOASTS = 4;

/**
 * Toasts in a corner of every page (outside the page's own view, so they stay while the user moves on):
 * a watchlist hit with the car crop and plate, or a short notice. Each closes on its own after a while or
 * with its button; the oldest goes when more than four are shown.
 */
export class ToastStack {
  constructor() {
    this.node = el('div', { class: 'toasts', 'data-testid': 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(this.node);
    this.urls = new Set();
  }

  /** A watchlist hit: crop (fetched with the bearer header), plate, camera, time, reason, link to the alert list. */
  alert(alert, cameraName) {
    const crop = el('div', { class: 'toast-crop', 'data-testid': 'toast-crop-box' }, el('span', { class: 'muted' }, t('notify.cropLoading')));
    const toast = this.show(el('div', { class: 'toast toast-alert', 'data-testid': 'alert-toast', 'data-plate': alert.plate, 'data-alert-id': alert.id },
      crop,
      el('div', { class: 'toast-text' },
        el('strong', { class: 'toast-title' }, t('notify.alertTitle')),
        el('span', { class: 'plate', 'data-testid': 'toast-plate' }, alert.plate),
        el('span', { class: 'toast-where', 'data-testid': 'toast-where' }, t('notify.alertWhere', { camera: cameraName, time: formatDateTime(alert.passedAt) })),
        alert.reason ? el('span', { class: 'toast-reason' }, t('notify.reason', { reason: alert.reason })) : null,
        el('a', { href: '#/watchlists', 'data-testid': 'toast-open' }, t('notify.open')))), ALERT_SHOWN_MS);
    apiBlobUrl(`/api/v1/checkpoint/passes/${encodeURIComponent(alert.passId)}/crop`)
      .then((url) => {
        if (!toast.isConnected) { URL.revokeObjectURL(url); return; }
        this.urls.add(url);
        toast.dataset.cropUrl = url;
        crop.replaceChildren(el('img', { src: url, alt: alert.plate, 'data-testid': 'toast-crop' }));
      })
      .catch(() => { crop.replaceChildren(el('span', { class: 'muted', 'data-testid': 'toast-no-crop' }, t('notify.noCrop'))); });
    return toast;
  }

  /** A short notice (a new notification): what happened, its sentence, and a link to where it is handled. */
  notice(title, detail, href) {
    return this.show(el('div', { class: 'toast toast-notice', 'data-testid': 'notice-toast' },
      el('div', { class: 'toast-text' }, el('strong', { class: 'toast-title' }, t('notify.notificationTitle')),
        el('span', { 'data-testid': 'notice-title' }, title),
        detail ? el('span', { class: 'toast-reason', 'data-testid': 'notice-detail' }, detail) : null,
        href ? el('a', { href }, t('notify.open')) : null)), NOTICE_SHOWN_MS);
  }

  show(toast, shownMs) {
    const close = () => {
      clearTimeout(timer);
      toast.remove();
      if (toast.dataset.cropUrl) { URL.revokeObjectURL(toast.dataset.cropUrl); this.urls.delete(toast.dataset.cropUrl); }
    };
    const timer = setTimeout(close, shownMs);
    toast.prepend(el('button', { type: 'button', class: 'toast-close', 'data-testid': 'toast-close', title: t('notify.dismiss'), 'aria-label': t('notify.dismiss'), onclick: close }, '×'));
    toast.querySelector('a')?.addEventListener('click', close);
    this.node.prepend(toast);
    while (this.node.children.length > MAX_TOASTS) this.node.lastElementChild.querySelector('.toast-close').click();
    return toast;
  }

  stop() {
    for (const url of this.urls) URL.revokeObjectURL(url);
    this.urls.clear();
    this.node.remove();
  }
}
