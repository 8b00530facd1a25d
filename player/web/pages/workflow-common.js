import { api, auth } from '../api.js';
import { el } from '../dom.js';
import { errorText } from '../errors.js';
import { formatDateTime, t } from '../i18n/i18n.js';
import { term, terms } from '../terms.js';
import { fromZoneInput, toZoneInput } from '../zone-time.js';

// Shared bits of the workflow pages: formatting, directory look-ups, role checks, small form pieces.
export const SCOPES = ['live', 'snapshot', 'ptz', 'events', 'playback'];

/** A date and time in the user's zone (Asia/Shanghai by default). */
export const formatTime = formatDateTime;

/** A from–to window in the user's zone. */
export const formatWindow = (from, to) => t('common.arrow', { from: formatDateTime(from), to: formatDateTime(to) });

/** "3 分钟", "2 小时 5 分钟", "4 天 1 小时": ages of pending requests. */
export function formatAge(ms) {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 60) return t('workflow.ageMinutes', { minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('workflow.ageHours', { hours, minutes: minutes % 60 });
  return t('workflow.ageDays', { days: Math.floor(hours / 24), hours: hours % 24 });
}

/** <input type=datetime-local> values in the user's zone, and back. */
export const toLocalInput = toZoneInput;
export const fromLocalInput = fromZoneInput;

export const hasRole = (...roles) => roles.includes(auth.user?.role);
export const isApprover = () => hasRole('approver', 'admin');

/** Department and camera names by id (the API returns ids). */
export async function loadDirectory(signal) {
  const [departments, cameras] = await Promise.all([api('/api/v1/departments', { signal }), api('/api/v1/cameras', { signal }).catch((error) => {
    if (error?.name === 'AbortError') throw error;
    return [];
  })]);
  const departmentNames = new Map(departments.map((d) => [d.id, d.name]));
  const cameraNames = new Map(cameras.map((c) => [c.id, c.name]));
  return {
    departments,
    cameras,
    department: (id) => departmentNames.get(id) ?? id,
    camera: (id) => cameraNames.get(id) ?? id,
  };
}

/** Scopes of a request or grant in words, the playback scope with how far back it reaches: "实时视频、录像回放（7 d）". */
export function scopesText(item) {
  const lookback = item.playbackLookback === 'days' ? `${item.playbackDays} d` : item.playbackLookback === 'window' ? t('playback.lookback_window') : null;
  return item.scopes.map((s) => (s === 'playback' && lookback ? `${term('scope', s)} (${lookback})` : term('scope', s))).join(t('common.listSeparator'));
}

/** What a request or grant covers, in words. */
export function describeTarget(item, directory) {
  if (item.targetKind === 'cameras') return (item.cameraIds ?? []).map(directory.camera).join(t('common.listSeparator'));
  if (item.targetKind === 'category') return t('workflow.targetCategory', { category: term('category', item.category) });
  if (item.targetKind === 'area' && item.area) return t('workflow.targetArea', item.area);
  return term('target', item.targetKind);
}

/** Scopes in words. */
export const scopeWords = (scopes) => terms('scope', scopes);

/** A state badge: the words of `code` in `group` (status or state), the code kept in data-state. */
export function badge(code, group = 'state', kind = code) {
  return el('span', { class: `badge state-${kind}`, 'data-testid': 'state', 'data-state': code }, term(group, code));
}

/** A row of checkboxes; read() gives the checked values. */
export function checkboxes(name, options, checked = options.map((o) => o.value)) {
  const boxes = options.map((o) => el('label', { class: 'pick' }, el('input', { type: 'checkbox', name, value: o.value, checked: checked.includes(o.value) }), o.label));
  return {
    node: el('span', { class: 'checks' }, boxes),
    read: () => boxes.map((b) => b.querySelector('input')).filter((box) => box.checked).map((box) => box.value),
  };
}

/** A small line under a form or row that reports the outcome of an action. */
export function resultLine(testId) {
  const node = el('p', { class: 'result', 'data-testid': testId, role: 'status' });
  return {
    node,
    ok(text) { node.className = 'result ok'; node.textContent = text; },
    fail(error) { node.className = 'result form-error'; node.textContent = errorText(error); },
  };
}

/** A table; each cell also gets its column's name (data-label) so the phone layout can show rows as cards. */
export function table(headers, rows, attrs = {}) {
  for (const row of rows) labelCells(row, headers);
  const body = el('tbody', {}, rows);
  // Rows added later (paging) are labelled too.
  new MutationObserver((changes) => { for (const change of changes) for (const row of change.addedNodes) labelCells(row, headers); })
    .observe(body, { childList: true });
  return el('table', { class: 'grid', ...attrs },
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
    body);
}

function labelCells(row, headers) {
  if (!(row instanceof HTMLTableRowElement)) return;
  [...row.cells].forEach((cell, i) => { if (headers[i] !== undefined) cell.dataset.label = headers[i]; });
}

/**
 * A select that filters a list page by one query parameter: the current value comes from the hash query
 * (anything not offered counts as ''), and choosing a value navigates to `#/<page>?<name>=<value>`.
 */
export function hashFilter({ page, name, values, query, allLabel, testId, group }) {
  const value = values.includes(query.get(name) ?? '') ? query.get(name) ?? '' : '';
  const select = el('select', { 'data-testid': testId, onchange: (e) => { location.hash = `#/${page}${e.target.value ? `?${name}=${e.target.value}` : ''}`; } },
    values.map((v) => el('option', { value: v, selected: v === value }, v ? term(group, v) : allLabel)));
  return { value, select };
}

/**
 * Search results fetched page by page with the API's cursor: a search replaces the table, "more" extends it.
 * `fetchPage(cursor)` returns { items, nextCursor }; test ids are `<testId>-result-line`, `-results`,
 * `-more` and `-table`. `search(append)` resolves true when the page arrived.
 */
export function pagedTable({ testId, moreLabel, headers, rowOf, empty, shown, fetchPage, signal }) {
  const outcome = resultLine(`${testId}-result-line`);
  const results = el('div', { 'data-testid': `${testId}-results` });
  const more = el('button', { type: 'button', hidden: true, 'data-testid': `${testId}-more` }, moreLabel);
  let cursor = null;
  let body = null;
  const search = async (append) => {
    more.disabled = true;
    try {
      const page = await fetchPage(append ? cursor : null);
      cursor = page.nextCursor;
      more.hidden = !cursor;
      const rows = page.items.map(rowOf);
      if (!append || !body) {
        body = table(headers, rows, { 'data-testid': `${testId}-table` });
        results.replaceChildren(page.items.length ? body : empty());
      } else body.querySelector('tbody').append(...rows);
      outcome.ok(`${shown(body.querySelectorAll('tbody tr').length)}${cursor ? t('workflow.moreAvailable') : ''}${t('workflow.fullStop')}`);
      return true;
    } catch (error) {
      if (signal?.aborted) return false;
      outcome.fail(error);
      return false;
    } finally { more.disabled = false; }
  };
  more.addEventListener('click', () => search(true));
  return { outcome, results, more, search };
}

/** The filter form of a search page: a label per field, Search (submit) and Export CSV; test ids `<testId>-search…`. */
export function filterForm({ testId, fields, labels, search, exportCsv }) {
  const form = el('form', { class: 'filters', 'data-testid': `${testId}-search` },
    Object.entries(fields).map(([name, input]) => el('label', {}, labels[name], input)),
    el('div', { class: 'toolbar' },
      el('button', { type: 'submit', class: 'primary', 'data-testid': `${testId}-search-button` }, t('common.search')),
      el('button', { type: 'button', 'data-testid': `${testId}-export`, onclick: exportCsv }, t('common.exportCsv'))));
  form.addEventListener('submit', (event) => { event.preventDefault(); search(false); });
  return form;
}
