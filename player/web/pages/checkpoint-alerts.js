import { playFromHere } from '../play-from-here.js';
import { api } from '../api.js';
import { el } from '../dom.js';
import { errorText } from '../errors.js';
import { t } from '../i18n/i18n.js';
import { term } from '../terms.js';
import { openEventStream } from '../event-stream.js';
import { plateLink } from './checkpoint-common.js';
import { formatTime } from './workflow-common.js';

/**
 * Watchlist alerts: the stored ones (newest first), then live ones from the SSE stream prepended as they
 * arrive; each is acknowledged by a person with an optional note. Returns { node, close }.
 */
export async function renderAlertsSection(directory, signal) {
  const state = el('span', { class: 'badge', 'data-testid': 'alert-stream-state', 'data-state': 'connecting' }, term('state', 'connecting'));
  const onlyOpen = el('input', { type: 'checkbox', 'data-testid': 'alerts-unacknowledged' });
  const list = el('ul', { class: 'alerts', 'data-testid': 'alerts' });
  const rows = new Map();

  const empty = () => el('li', { class: 'muted', 'data-testid': 'no-alerts' }, t('checkpoint.noAlerts'));
  const show = (alert, live) => {
    const existing = rows.get(alert.id);
    const node = alertItem(alert, directory, live, (updated) => show(updated, false));
    if (existing) existing.replaceWith(node);
    rows.set(alert.id, node);
    return node;
  };
  const load = async () => {
    const stored = await api(`/api/v1/checkpoint/alerts?limit=100${onlyOpen.checked ? '&unacknowledged=true' : ''}`, { signal });
    rows.clear();
    list.replaceChildren(...(stored.length ? stored.map((a) => show(a, false)) : [empty()]));
  };
  onlyOpen.addEventListener('change', () => load().catch((error) => list.replaceChildren(el('li', { class: 'form-error' }, errorText(error)))));
  await load();

  const close = openEventStream('/api/v1/checkpoint/alerts/stream', {
    onState: (s) => { const code = s === 'open' ? 'live' : s; state.dataset.state = code; state.textContent = term('state', code); state.className = `badge state-${code === 'live' ? 'live' : 'pending'}`; },
    onEvent: (name, alert) => {
      if (name !== 'alert' || rows.has(alert.id)) return;
      list.querySelector('[data-testid=no-alerts]')?.remove();
      list.prepend(show(alert, true));
    },
  });
  const node = el('section', { class: 'checkpoint-alerts' },
    el('div', { class: 'toolbar' }, el('h2', {}, t('checkpoint.alerts')), state, el('label', { class: 'pick' }, onlyOpen, t('checkpoint.onlyOpen'))),
    list);
  return { node, close };
}

function alertItem(alert, directory, live, onUpdated) {
  const acknowledged = alert.acknowledgedAt !== null;
  const note = el('input', { placeholder: t('checkpoint.noteOptional'), maxlength: 1000, 'data-testid': 'ack-note' });
  const result = el('span', { class: 'form-error', 'data-testid': 'ack-result' });
  const acknowledge = async () => {
    try {
      const body = note.value.trim() ? { note: note.value.trim() } : {};
      onUpdated(await api(`/api/v1/checkpoint/alerts/${encodeURIComponent(alert.id)}/ack`, { method: 'POST', body }));
    } catch (error) { result.textContent = errorText(error); }
  };
  return el('li', { class: acknowledged ? 'read' : 'unread', 'data-testid': 'alert-row', 'data-plate': alert.plate, 'data-alert-id': alert.id },
    el('span', { class: 'when' }, formatTime(alert.passedAt)),
    el('span', { class: `badge state-${acknowledged ? 'ended' : 'emergency'}`, 'data-testid': 'alert-state', 'data-state': acknowledged ? 'acknowledged' : 'open' }, term('state', acknowledged ? 'acknowledged' : 'open')),
    live ? el('span', { class: 'badge live' }, term('state', 'new')) : null,
    el('span', { class: 'message' }, plateLink(alert.plate), t('checkpoint.atCamera', { camera: directory.camera(alert.cameraId) }),
      alert.reason ? el('span', { class: 'muted' }, ` — ${alert.reason}`) : null, playFromHere(alert.cameraId, alert.passedAt)),
    acknowledged
      ? el('span', { class: 'muted', 'data-testid': 'ack-by' }, t('checkpoint.acknowledgedAt', { at: formatTime(alert.acknowledgedAt) }) + (alert.ackNote ? t('checkpoint.noteSuffix', { note: alert.ackNote }) : ''))
      : el('span', { class: 'inline-form' }, note, el('button', { type: 'button', class: 'primary', 'data-testid': 'ack', onclick: acknowledge }, t('checkpoint.acknowledge'))),
    result);
}
