import { api } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { term } from '../terms.js';
import { toZoneMonth } from '../zone-time.js';
import { formatTime, fromLocalInput, resultLine, table, toLocalInput } from './workflow-common.js';

/** Who watched camera X between t1 and t2: viewing sessions from play.start/play.stop. */
export function renderWhoWatched(directory) {
  const camera = el('select', { 'data-testid': 'viewers-camera' }, directory.cameras.map((c) => el('option', { value: c.id }, `${c.name} (${c.departmentName})`)));
  const from = el('input', { type: 'datetime-local', value: toLocalInput(Date.now() - 24 * 3_600_000), 'data-testid': 'viewers-from' });
  const to = el('input', { type: 'datetime-local', value: toLocalInput(Date.now() + 3_600_000), 'data-testid': 'viewers-to' });
  const outcome = resultLine('viewers-result-line');
  const results = el('div', { 'data-testid': 'viewers-results' });
  const form = el('form', { class: 'filters' }, el('label', {}, t('audit.camera'), camera), el('label', {}, t('common.from'), from), el('label', {}, t('common.to'), to),
    el('button', { type: 'submit', class: 'primary', 'data-testid': 'viewers-search' }, t('audit.whoWatchedButton')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!camera.value) return outcome.fail(new Error(t('audit.pickCamera')));
    const query = new URLSearchParams({ from: String(fromLocalInput(from.value) ?? 0), to: String(fromLocalInput(to.value) ?? Date.now()) });
    try {
      const sessions = await api(`/api/v1/audit/cameras/${encodeURIComponent(camera.value)}/viewers?${query}`);
      results.replaceChildren(sessions.length === 0 ? el('p', { class: 'muted' }, t('audit.nobodyWatched'))
        : table([t('audit.colUser'), t('audit.colDepartment'), t('audit.colProtocol'), t('audit.colStarted'), t('audit.colStopped'), t('audit.colResult')], sessions.map((s) => el('tr', { 'data-testid': 'viewer-row' },
          el('td', {}, s.username ?? '—'), el('td', {}, s.departmentId ? directory.department(s.departmentId) : '—'), el('td', {}, term('protocol', s.protocol)),
          el('td', {}, formatTime(s.startedAt)), el('td', {}, s.stoppedAt === null ? t('audit.noStop') : formatTime(s.stoppedAt)), el('td', {}, term('result', s.result))))));
      outcome.ok(t('audit.sessions', { count: sessions.length }));
    } catch (error) { outcome.fail(error); }
  });
  return el('section', { 'data-testid': 'who-watched' }, el('h2', {}, t('audit.whoWatched')), form, outcome.node, results);
}

/** What department Y did with cameras in a month (default this month), grouped by camera and action. */
export function renderDepartmentAccess(directory) {
  const department = el('select', { 'data-testid': 'access-department' }, directory.departments.map((d) => el('option', { value: d.id }, d.name)));
  const month = el('input', { type: 'month', value: toZoneMonth(Date.now()), 'data-testid': 'access-month' });
  const outcome = resultLine('access-result-line');
  const results = el('div', { 'data-testid': 'access-results' });
  const form = el('form', { class: 'filters' }, el('label', {}, t('audit.colDepartment'), department), el('label', {}, t('audit.month'), month),
    el('button', { type: 'submit', class: 'primary', 'data-testid': 'access-search' }, t('audit.showAccess')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const query = month.value ? `?month=${encodeURIComponent(month.value)}` : '';
      const report = await api(`/api/v1/audit/departments/${encodeURIComponent(department.value)}/access${query}`);
      results.replaceChildren(report.rows.length === 0 ? el('p', { class: 'muted' }, t('audit.noAccess'))
        : table([t('audit.camera'), t('audit.owner'), t('audit.colAction'), t('audit.count'), t('audit.users'), t('audit.first'), t('audit.last')], report.rows.map((r) => el('tr', { 'data-testid': 'access-row' },
          el('td', {}, r.cameraName ?? r.cameraId), el('td', {}, r.ownerDepartmentId ? directory.department(r.ownerDepartmentId) : '—'), el('td', { title: r.action }, term('action', r.action)),
          el('td', {}, r.count), el('td', {}, r.users), el('td', {}, formatTime(r.firstAt)), el('td', {}, formatTime(r.lastAt))))));
      outcome.ok(t('audit.rows', { from: formatTime(report.from), to: formatTime(report.to), count: report.rows.length }));
    } catch (error) { outcome.fail(error); }
  });
  return el('section', { 'data-testid': 'department-access' }, el('h2', {}, t('audit.departmentAccess')), form, outcome.node, results);
}
