import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { saveNotifySettings } from './notify-settings.js';

const SVG = 'http://www.w3.org/2000/svg';

/** A bell drawn as SVG (an emoji would need an emoji font, which the machines may lack). */
function bellIcon() {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', 'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

/**
 * The bell in the header: opens a small panel where the user turns the alert sound and desktop
 * notifications on or off. Turning the sound on is the click that unlocks WebAudio; turning desktop
 * notifications on asks the browser's permission, and says so when the browser refuses.
 */
export class NotifyMenu {
  constructor({ userId, settings, tone }) {
    this.userId = userId;
    this.settings = settings;
    this.tone = tone;
    const sound = el('input', { type: 'checkbox', 'data-testid': 'notify-sound', checked: settings.sound });
    const desktop = el('input', { type: 'checkbox', 'data-testid': 'notify-desktop', checked: settings.desktop });
    const hint = el('p', { class: 'muted notify-hint', 'data-testid': 'notify-hint' });
    sound.addEventListener('change', () => {
      settings.sound = sound.checked;
      if (sound.checked) tone.unlock();
      saveNotifySettings(userId, settings);
    });
    desktop.addEventListener('change', async () => {
      hint.textContent = '';
      if (desktop.checked) {
        if (typeof window.Notification !== 'function') { desktop.checked = false; hint.textContent = t('notify.desktopUnsupported'); return; }
        const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
        if (permission !== 'granted') { desktop.checked = false; hint.textContent = t('notify.desktopDenied'); }
      }
      settings.desktop = desktop.checked;
      saveNotifySettings(userId, settings);
    });
    this.panel = el('div', { class: 'notify-panel', 'data-testid': 'notify-panel', hidden: true },
      el('strong', {}, t('notify.settingsTitle')),
      el('label', { class: 'pick' }, sound, t('notify.sound')),
      el('button', { type: 'button', 'data-testid': 'notify-test-sound', onclick: () => { tone.unlock(); setTimeout(() => tone.play(), 50); } }, t('notify.testSound')),
      el('label', { class: 'pick' }, desktop, t('notify.desktop')),
      hint);
    this.button = el('button', {
      type: 'button', class: 'notify-bell', 'data-testid': 'notify-settings', title: t('notify.settings'), 'aria-label': t('notify.settings'),
      onclick: () => { this.panel.hidden = !this.panel.hidden; },
    }, bellIcon());
    this.node = el('span', { class: 'notify-menu' }, this.button, this.panel);
    // Any click is a gesture: a sound chosen in an earlier session starts working from the first one.
    this.onGesture = () => { if (this.settings.sound) this.tone.unlock(); };
    document.addEventListener('pointerdown', this.onGesture, true);
  }

  /** Puts the bell back into a freshly built header (before the user's name when there is one). */
  attach(top) {
    if (!top || this.node.parentNode === top) return;
    const who = top.querySelector('[data-testid=who]');
    if (who) top.insertBefore(this.node, who);
    else top.append(this.node);
  }

  stop() {
    document.removeEventListener('pointerdown', this.onGesture, true);
    this.node.remove();
  }
}
