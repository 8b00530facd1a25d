import { api } from '../api.js';
import { el } from '../dom.js';
import { formatTime, fromLocalInput, resultLine, table, toLocalInput } from './workflow-common.js';

/** Who watched camera X between t1 and t2: viewing sessions from play.start/play.stop. */
export function renderWhoWatched(directory) {
  const camera = el('select', { 'data-testid': 'viewers-camera' }, directory.cameras.map((c) => el('option', { value: c.id }, `${c.name} (${c.departmentName})`)));
  const from = el('input', { type: 'datetime-local', value: toLocalInput(Date.now() - 24 * 3_600_000), 'data-testid': 'viewers-from' });
  const to = el('input', { type: 'datetime-local', value: toLocalInput(Date.now() + 3_600_000), 'data-testid': 'viewers-to' });
  const outcome = resultLine('viewers-result-line');
  const results = el('div', { 'data-testid': 'viewers-results' });
  const form = el('form', { class: 'filters' }, el('label', {}, 'Camera', camera), el('label', {}, 'From', from), el('label', {}, 'To', to),
    el('button', { type: 'submit', class: 'primary', 'data-testid': 'viewers-search' }, 'Who watched'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!camera.value) return outcome.fail(new Error('Pick a camera.'));
    const query = new URLSearchParams({ from: String(fromLocalInput(from.value) ?? 0), to: String(fromLocalInput(to.value) ?? Date.now()) });
    try {
      const sessions = await api(`/api/v1/audit/cameras/${encodeURIComponent(camera.value)}/viewers?${query}`);
      results.replaceChildren(sessions.length === 0 ? el('p', { class: 'muted' }, 'Nobody watched in that range.')
        : table(['User', 'Department', 'Protocol', 'Started', 'Stopped', 'Result'], sessions.map((s) => el('tr', { 'data-testid': 'viewer-row' },
          el('td', {}, s.username ?? '—'), el('td', {}, s.departmentId ? directory.department(s.departmentId) : '—'), el('td', {}, s.protocol ?? '—'),
          el('td', {}, formatTime(s.startedAt)), el('td', {}, s.stoppedAt === null ? 'no stop recorded' : formatTime(s.stoppedAt)), el('td', {}, s.result)))));
      outcome.ok(`${sessions.length} viewing sessions.`);
    } catch (error) { outcome.fail(error); }
  });
  return el('section', { 'data-testid': 'who-watched' }, el('h2', {}, 'Who watched a camera'), form, outcome.node, results);
}

/** What department Y did with cameras in a month (default this month), grouped by camera and action. */
export function renderDepartmentAccess(directory) {
  const department = el('select', { 'data-testid': 'access-department' }, directory.departments.map((d) => el('option', { value: d.id }, d.name)));
  const month = el('input', { type: 'month', value: new Date().toISOString().slice(0, 7), 'data-testid': 'access-month' });
  const outcome = resultLine('access-result-line');
  const results = el('div', { 'data-testid': 'access-results' });
  const form = el('form', { class: 'filters' }, el('label', {}, 'Department', department), el('label', {}, 'Month', month),
    el('button', { type: 'submit', class: 'primary', 'data-testid': 'access-search' }, 'Show access'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const query = month.value ? `?month=${encodeURIComponent(month.value)}` : '';
      const report = await api(`/api/v1/audit/departments/${encodeURIComponent(department.value)}/access${query}`);
      results.replaceChildren(report.rows.length === 0 ? el('p', { class: 'muted' }, 'No camera access in that month.')
        : table(['Camera', 'Owner', 'Action', 'Count', 'Users', 'First', 'Last'], report.rows.map((r) => el('tr', { 'data-testid': 'access-row' },
          el('td', {}, r.cameraName ?? r.cameraId), el('td', {}, r.ownerDepartmentId ? directory.department(r.ownerDepartmentId) : '—'), el('td', {}, r.action),
          el('td', {}, r.count), el('td', {}, r.users), el('td', {}, formatTime(r.firstAt)), el('td', {}, formatTime(r.lastAt))))));
      outcome.ok(`${formatTime(report.from)} → ${formatTime(report.to)}: ${report.rows.length} rows.`);
    } catch (error) { outcome.fail(error); }
  });
  return el('section', { 'data-testid': 'department-access' }, el('h2', {}, 'Department access'), form, outcome.node, results);
}
