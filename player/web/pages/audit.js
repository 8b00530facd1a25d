import { api, apiBlobUrl } from '../api.js';
import { el } from '../dom.js';
import { renderDepartmentAccess, renderWhoWatched } from './audit-reports.js';
import { filterForm, formatTime, fromLocalInput, loadDirectory, pagedTable } from './workflow-common.js';

const LABELS = { username: 'User', departmentId: 'Department', action: 'Action', targetId: 'Target id', result: 'Result', from: 'From', to: 'To' };

/** Auditors and admins: search the trail, export it as CSV, who watched a camera, what a department accessed. */
export async function renderAudit(root) {
  const directory = await loadDirectory();
  root.append(el('h1', {}, 'Audit trail'));
  root.append(searchSection(directory), renderWhoWatched(directory), renderDepartmentAccess(directory));
}

function searchSection(directory) {
  const fields = {
    username: el('input', { placeholder: 'user name', 'data-testid': 'audit-username' }),
    departmentId: el('select', { 'data-testid': 'audit-department' }, el('option', { value: '' }, 'any department'),
      directory.departments.map((d) => el('option', { value: d.id }, d.name))),
    action: el('input', { placeholder: 'action, e.g. access.* or play.start', pattern: '[A-Za-z0-9_.\\-]+\\*?', 'data-testid': 'audit-action' }),
    targetId: el('input', { placeholder: 'target id (camera, grant…)', 'data-testid': 'audit-target' }),
    result: el('select', { 'data-testid': 'audit-result' }, ['', 'ok', 'denied', 'failed'].map((r) => el('option', { value: r }, r || 'any result'))),
    from: el('input', { type: 'datetime-local', 'data-testid': 'audit-from' }),
    to: el('input', { type: 'datetime-local', 'data-testid': 'audit-to' }),
  };
  const filterQuery = () => {
    const query = new URLSearchParams();
    for (const [name, input] of Object.entries(fields)) {
      const value = name === 'from' || name === 'to' ? fromLocalInput(input.value) : input.value.trim();
      if (value !== undefined && value !== '') query.set(name, String(value));
    }
    return query;
  };
  const { outcome, results, more, search } = pagedTable({
    testId: 'audit',
    moreLabel: 'Older events',
    headers: ['When', 'User', 'Department', 'Action', 'Target', 'Result', 'Reason / details'],
    rowOf: (e) => eventRow(e, directory),
    empty: () => el('p', { class: 'muted' }, 'No matching events.'),
    shown: (count) => `${count} events shown`,
    fetchPage: async (cursor) => {
      const query = filterQuery();
      query.set('limit', '100');
      if (cursor) query.set('cursor', cursor);
      const page = await api(`/api/v1/audit/events?${query}`);
      return { items: page.events, nextCursor: page.nextCursor };
    },
  });
  const exportCsv = async () => {
    try {
      const url = await apiBlobUrl(`/api/v1/audit/export.csv?${filterQuery()}`);
      const link = el('a', { href: url, download: `audit-events-${new Date().toISOString().slice(0, 10)}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      outcome.ok('CSV exported (the export itself is recorded in the trail).');
    } catch (error) { outcome.fail(error); }
  };
  const form = filterForm({ testId: 'audit', fields, labels: LABELS, search, exportCsv });
  search(false);
  return el('section', { class: 'audit-search' }, el('h2', {}, 'Search'), form, outcome.node, results, more);
}

function eventRow(event, directory) {
  const details = event.details ? Object.entries(event.details).filter(([, v]) => v !== null && typeof v !== 'object').map(([k, v]) => `${k}=${v}`).join(' ') : '';
  const target = event.targetType === 'camera' ? directory.camera(event.targetId) : event.targetId;
  return el('tr', { 'data-testid': 'audit-row', 'data-action': event.action, class: `result-${event.result}` },
    el('td', {}, formatTime(event.at)),
    el('td', {}, event.username ?? '—'),
    el('td', {}, event.departmentId ? directory.department(event.departmentId) : '—'),
    el('td', { class: 'action' }, event.action),
    el('td', {}, event.targetType ? `${event.targetType}: ${target ?? ''}` : '—'),
    el('td', {}, event.result),
    el('td', { class: 'muted' }, [event.reason, details].filter(Boolean).join(' · ')));
}
