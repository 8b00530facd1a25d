import { api, auth } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { provincePicker } from '../province-picker.js';
import { term } from '../terms.js';
import { renderAlertsSection } from './checkpoint-alerts.js';
import { WATCHLIST_EDITORS } from './checkpoint-common.js';
import { renderFindingsSection } from './findings.js';
import { passImageLoader } from './pass-images.js';
import { formatTime, formatWindow, fromLocalInput, loadDirectory, resultLine, table, toLocalInput } from './workflow-common.js';

const DAY_MS = 86_400_000;

/** Watchlists (布控) with live alerts and cloned-plate findings: what traffic and police desks watch. */
export async function renderWatchlists(root, { signal }) {
  const directory = await loadDirectory(signal);
  const images = passImageLoader();
  root.append(el('h1', {}, t('checkpoint.watchlistsTitle')));
  const alerts = await renderAlertsSection(directory, signal);
  // The router aborts the signal when the user leaves; close the stream even if the page never finished loading.
  signal?.addEventListener('abort', () => { alerts.close(); images.release(); });
  root.append(alerts.node, await watchlistSection(directory, signal), await renderFindingsSection(directory, images, signal));
  return () => { alerts.close(); images.release(); };
}

async function watchlistSection(directory, signal) {
  const user = auth.user;
  const mayEdit = WATCHLIST_EDITORS.includes(user?.role);
  const outcome = resultLine('watchlist-result');
  const showRemoved = el('input', { type: 'checkbox', 'data-testid': 'watchlist-show-removed' });
  const list = el('div', { 'data-testid': 'watchlist' });

  const load = async () => {
    const entries = await api(`/api/v1/checkpoint/watchlist${showRemoved.checked ? '?includeRemoved=true' : ''}`, { signal });
    const rows = entries.map((entry) => entryRow(entry, directory, mayEdit && (user.role === 'admin' || entry.ownerDepartmentId === user.departmentId), async () => {
      try {
        await api(`/api/v1/checkpoint/watchlist/${encodeURIComponent(entry.id)}`, { method: 'DELETE' });
        outcome.ok(t('checkpoint.watchRemoved', { plate: entry.plate }));
        await load();
      } catch (error) { outcome.fail(error); }
    }));
    list.replaceChildren(entries.length
      ? table([t('checkpoint.colPlate'), t('checkpoint.colMatch'), t('checkpoint.colReason'), t('checkpoint.colValid'), t('checkpoint.colDepartment'), t('checkpoint.colState'), ''], rows, { 'data-testid': 'watchlist-table' })
      : el('p', { class: 'muted', 'data-testid': 'watchlist-empty' }, t('checkpoint.noWatchlist')));
  };
  showRemoved.addEventListener('change', () => load().catch((error) => outcome.fail(error)));
  await load();
  return el('section', { class: 'watchlists' },
    el('h2', {}, t('checkpoint.watchlist')),
    mayEdit ? createForm(outcome, load) : el('p', { class: 'muted' }, t('checkpoint.approversEdit')),
    outcome.node,
    el('label', { class: 'pick' }, showRemoved, t('checkpoint.showRemoved')),
    list);
}

function createForm(outcome, reload) {
  const now = Date.now();
  const fields = {
    plate: el('input', { required: true, maxlength: 16, placeholder: t('checkpoint.watchPlatePlaceholder'), 'data-testid': 'watch-plate' }),
    matchKind: el('select', { 'data-testid': 'watch-kind' }, el('option', { value: 'exact' }, term('match', 'exact')), el('option', { value: 'pattern' }, term('match', 'pattern'))),
    reason: el('input', { required: true, minlength: 3, maxlength: 500, placeholder: t('checkpoint.watchReasonPlaceholder'), 'data-testid': 'watch-reason' }),
    validFrom: el('input', { type: 'datetime-local', value: toLocalInput(now), 'data-testid': 'watch-from' }),
    validUntil: el('input', { type: 'datetime-local', required: true, value: toLocalInput(now + 30 * DAY_MS), 'data-testid': 'watch-until' }),
  };
  const shown = { ...fields, plate: provincePicker(fields.plate, 'watch-province') };
  const form = el('form', { class: 'filters', 'data-testid': 'watch-form' },
    Object.entries(shown).map(([name, input]) => el('label', {}, t(`checkpoint.watch_${name}`), input)),
    el('div', { class: 'toolbar' }, el('button', { type: 'submit', class: 'primary', 'data-testid': 'watch-add' }, t('checkpoint.watchAdd'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { plate: fields.plate.value.trim(), matchKind: fields.matchKind.value, reason: fields.reason.value.trim(), validUntil: fromLocalInput(fields.validUntil.value) };
    const from = fromLocalInput(fields.validFrom.value);
    // A start in the past minute is "now": the API then takes its own clock.
    if (from !== undefined && from > Date.now()) body.validFrom = from;
    try {
      const entry = await api('/api/v1/checkpoint/watchlist', { method: 'POST', body });
      outcome.ok(t('checkpoint.watchAdded', { plate: entry.plate, until: formatTime(entry.validUntil) }));
      fields.plate.value = '';
      fields.reason.value = '';
      await reload();
    } catch (error) { outcome.fail(error); }
  });
  return form;
}

function entryRow(entry, directory, mayRemove, remove) {
  const now = Date.now();
  const state = entry.removedAt !== null ? 'removed' : entry.validUntil <= now ? 'expired' : entry.validFrom > now ? 'scheduled' : 'active';
  return el('tr', { 'data-testid': 'watchlist-row', 'data-plate': entry.plate },
    el('td', { class: 'plate-text' }, entry.plate),
    el('td', {}, term('match', entry.matchKind)),
    el('td', {}, entry.reason),
    el('td', { class: 'muted' }, formatWindow(entry.validFrom, entry.validUntil)),
    el('td', {}, directory.department(entry.ownerDepartmentId)),
    el('td', {}, el('span', { class: `badge state-${state === 'removed' ? 'revoked' : state}`, 'data-testid': 'state', 'data-state': state }, term('state', state))),
    el('td', {}, mayRemove && state !== 'removed'
      ? el('button', { type: 'button', class: 'danger', 'data-testid': 'watch-remove', onclick: remove }, t('checkpoint.watchRemove'))
      : null));
}
