import { api, apiBlobUrl } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { term } from '../terms.js';
import { auditDetails } from './audit-details.js';
import { renderDepartmentAccess, renderWhoWatched } from './audit-reports.js';
import { filterForm, formatTime, fromLocalInput, loadDirectory, pagedTable } from './workflow-common.js';

const FIELDS = ['username', 'departmentId', 'action', 'targetId', 'result', 'from', 'to'];

/** Auditors and admins: search the trail, export it as CSV, who watched a camera, what a department accessed. */
export async function renderAudit(root, { signal }) {
  const directory = await loadDirectory(signal);
  root.append(el('h1', {}, t('audit.title')));
  root.append(searchSection(directory, signal), renderWhoWatched(directory), renderDepartmentAccess(directory));
}

function searchSection(directory, signal) {
  const fields = {
    username: el('input', { placeholder: t('audit.usernamePlaceholder'), 'data-testid': 'audit-username' }),
    departmentId: el('select', { 'data-testid': 'audit-department' }, el('option', { value: '' }, t('audit.anyDepartment')),
      directory.departments.map((d) => el('option', { value: d.id }, d.name))),
    action: el('input', { placeholder: t('audit.actionPlaceholder'), pattern: '[A-Za-z0-9_.\\-]+\\*?', 'data-testid': 'audit-action' }),
    targetId: el('input', { placeholder: t('audit.targetPlaceholder'), 'data-testid': 'audit-target' }),
    result: el('select', { 'data-testid': 'audit-result' }, ['', 'ok', 'denied', 'failed'].map((r) => el('option', { value: r }, r ? term('result', r) : t('audit.anyResult')))),
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
    moreLabel: t('audit.older'),
    headers: [t('audit.colWhen'), t('audit.colUser'), t('audit.colDepartment'), t('audit.colAction'), t('audit.colTarget'), t('audit.colResult'), t('audit.colDetails')],
    rowOf: (e) => eventRow(e, directory),
    empty: () => el('p', { class: 'muted' }, t('audit.noEvents')),
    shown: (count) => t('audit.shown', { count }),
    signal,
    fetchPage: async (cursor) => {
      const query = filterQuery();
      query.set('limit', '100');
      if (cursor) query.set('cursor', cursor);
      const page = await api(`/api/v1/audit/events?${query}`, { signal });
      return { items: page.events, nextCursor: page.nextCursor };
    },
  });
  const exportCsv = async () => {
    try {
      const url = await apiBlobUrl(`/api/v1/audit/export.csv?${filterQuery()}`);
      const link = el('a', { href: url, download: `audit-events-${formatTime(Date.now()).slice(0, 10)}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      outcome.ok(t('audit.exported'));
    } catch (error) { outcome.fail(error); }
  };
  const labels = Object.fromEntries(FIELDS.map((name) => [name, t(`audit.field_${name}`)]));
  const form = filterForm({ testId: 'audit', fields, labels, search, exportCsv });
  search(false);
  return el('section', { class: 'audit-search' }, el('h2', {}, t('audit.search')), form, outcome.node, results, more);
}

/** What the event was about, by name: a camera or department by its name, a user by user name; other targets by kind and id. */
function targetText(event, directory) {
  if (!event.targetType) return '—';
  if (event.targetType === 'camera') return directory.camera(event.targetId);
  if (event.targetType === 'department') return directory.department(event.targetId);
  const kind = term('targetType', event.targetType);
  // Other targets (grants, requests…) have no name: their kind and a short id, the whole id on hover.
  return event.targetId ? el('span', { title: event.targetId }, `${kind} ${event.targetId.slice(0, 8)}`) : kind;
}

function eventRow(event, directory) {
  return el('tr', { 'data-testid': 'audit-row', 'data-action': event.action, class: `result-${event.result}` },
    el('td', { class: 'nowrap' }, formatTime(event.at)),
    el('td', {}, event.username ?? '—'),
    el('td', {}, event.departmentId ? directory.department(event.departmentId) : '—'),
    el('td', { title: event.action }, term('action', event.action), el('div', { class: 'muted code' }, event.action)),
    el('td', { 'data-testid': 'audit-target' }, targetText(event, directory)),
    el('td', { class: 'nowrap' }, term('result', event.result)),
    el('td', { class: 'muted', 'data-testid': 'audit-details' }, auditDetails(event, directory)));
}
