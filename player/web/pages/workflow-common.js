import { api, auth } from '../api.js';
import { el } from '../dom.js';

// Shared bits of the workflow pages: formatting, directory look-ups, role checks, small form pieces.
export const SCOPES = ['live', 'snapshot', 'ptz', 'events', 'playback'];

export const formatTime = (ms) => (ms === null || ms === undefined ? '—' : new Date(ms).toLocaleString());

/** "3 min", "2 h 5 min", "4 d 1 h": ages of pending requests. */
export function formatAge(ms) {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** <input type=datetime-local> value in local time, and back. */
export const toLocalInput = (ms) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};
export const fromLocalInput = (value) => (value ? new Date(value).getTime() : undefined);

export const hasRole = (...roles) => roles.includes(auth.user?.role);
export const isApprover = () => hasRole('approver', 'admin');

/** Department and camera names by id (the API returns ids). */
export async function loadDirectory() {
  const [departments, cameras] = await Promise.all([api('/api/v1/departments'), api('/api/v1/cameras').catch(() => [])]);
  const departmentNames = new Map(departments.map((d) => [d.id, d.name]));
  const cameraNames = new Map(cameras.map((c) => [c.id, c.name]));
  return {
    departments,
    cameras,
    department: (id) => departmentNames.get(id) ?? id,
    camera: (id) => cameraNames.get(id) ?? id,
  };
}

/** What a request or grant covers, in words. */
/** Scopes of a request or grant, the playback scope with how far back it reaches: "live, playback (7 d)". */
export function scopesText(item) {
  const lookback = item.playbackLookback === 'days' ? `${item.playbackDays} d` : item.playbackLookback === 'window' ? 'window' : null;
  return item.scopes.map((s) => (s === 'playback' && lookback ? `playback (${lookback})` : s)).join(', ');
}

export function describeTarget(item, directory) {
  if (item.targetKind === 'cameras') return (item.cameraIds ?? []).map(directory.camera).join(', ');
  if (item.targetKind === 'category') return `all ${item.category} cameras`;
  if (item.targetKind === 'area' && item.area) return `area ${item.area.minLat},${item.area.minLon} – ${item.area.maxLat},${item.area.maxLon}`;
  return item.targetKind;
}

export function badge(text, kind = text) {
  return el('span', { class: `badge state-${kind}`, 'data-testid': 'state' }, text);
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
    fail(error) { node.className = 'result form-error'; node.textContent = error.message ?? String(error); },
  };
}

export function table(headers, rows, attrs = {}) {
  return el('table', { class: 'grid', ...attrs },
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows));
}

/**
 * A select that filters a list page by one query parameter: the current value comes from the hash query
 * (anything not offered counts as ''), and choosing a value navigates to `#/<page>?<name>=<value>`.
 */
export function hashFilter({ page, name, values, query, allLabel, testId }) {
  const value = values.includes(query.get(name) ?? '') ? query.get(name) ?? '' : '';
  const select = el('select', { 'data-testid': testId, onchange: (e) => { location.hash = `#/${page}${e.target.value ? `?${name}=${e.target.value}` : ''}`; } },
    values.map((v) => el('option', { value: v, selected: v === value }, v || allLabel)));
  return { value, select };
}

/**
 * Search results fetched page by page with the API's cursor: a search replaces the table, "more" extends it.
 * `fetchPage(cursor)` returns { items, nextCursor }; test ids are `<testId>-result-line`, `-results`,
 * `-more` and `-table`. `search(append)` resolves true when the page arrived.
 */
export function pagedTable({ testId, moreLabel, headers, rowOf, empty, shown, fetchPage }) {
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
      outcome.ok(`${shown(body.querySelectorAll('tbody tr').length)}${cursor ? ' (more available)' : ''}.`);
      return true;
    } catch (error) {
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
      el('button', { type: 'submit', class: 'primary', 'data-testid': `${testId}-search-button` }, 'Search'),
      el('button', { type: 'button', 'data-testid': `${testId}-export`, onclick: exportCsv }, 'Export CSV')));
  form.addEventListener('submit', (event) => { event.preventDefault(); search(false); });
  return form;
}
