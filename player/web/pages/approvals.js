import { api } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { checkboxes, describeTarget, formatAge, formatTime, formatWindow, fromLocalInput, loadDirectory, resultLine, SCOPES, toLocalInput } from './workflow-common.js';
import { term } from '../terms.js';

/** Approvers: pending requests for my department's cameras, oldest first; approve (optionally narrowed) or reject. */
export async function renderApprovals(root, { signal }) {
  const directory = await loadDirectory(signal);
  root.append(el('div', { class: 'toolbar' }, el('h1', {}, t('workflow.approvals')),
    el('button', { type: 'button', onclick: () => load() }, t('common.refresh'))));
  const list = el('div', { class: 'cards' });
  root.append(list);

  const load = async () => {
    const pending = await api('/api/v1/access/requests/pending', { signal });
    list.replaceChildren(...(pending.length === 0
      ? [el('p', { 'data-testid': 'no-pending' }, t('workflow.noPending'))]
      : pending.map((request) => card(request, directory))));
  };
  await load();
}

function card(request, directory) {
  const outcome = resultLine('decision-result');
  const cameraPick = request.targetKind === 'cameras'
    ? checkboxes('cameraIds', (request.cameraIds ?? []).map((id) => ({ value: id, label: directory.camera(id) })))
    : null;
  const asked = request.playbackLookback === 'days' ? `${request.playbackDays} d` : request.playbackLookback;
  const scopePick = checkboxes('scopes', request.scopes.filter((s) => SCOPES.includes(s)).map((s) => ({ value: s, label: s === 'playback' && asked ? `${term('scope', s)} (${asked})` : term('scope', s) })));
  // The playback lookback may be narrowed too (none → last N days → only the grant's window); the API refuses widening.
  const lookback = request.scopes.includes('playback')
    ? el('select', { 'data-testid': 'approve-lookback' }, el('option', { value: '' }, '—'), ['days', 'window'].map((k) => el('option', { value: k }, t(`playback.lookback_${k}`))))
    : null;
  const lookbackDays = el('input', { type: 'number', min: 1, max: 366, value: request.playbackDays ?? 7, 'data-testid': 'approve-lookback-days' });
  const startsAt = el('input', { type: 'datetime-local', value: toLocalInput(request.startsAt), 'data-testid': 'approve-starts' });
  const endsAt = el('input', { type: 'datetime-local', value: toLocalInput(request.endsAt), 'data-testid': 'approve-ends' });
  const approveReason = el('input', { placeholder: t('workflow.noteOptional'), maxlength: 1000, 'data-testid': 'approve-reason' });
  const rejectReason = el('input', { placeholder: t('workflow.rejectReason'), maxlength: 1000, 'data-testid': 'reject-reason' });

  // A decided request stays on screen with its outcome until the list is refreshed.
  const decided = (text) => {
    outcome.ok(text);
    for (const node of section.querySelectorAll('fieldset')) node.disabled = true;
    section.classList.add('decided');
  };
  const approve = async () => {
    // Only what the approver changed is sent: the API refuses anything wider than the request.
    const body = {};
    if (cameraPick) {
      const ids = cameraPick.read();
      if (ids.length === 0) return outcome.fail(new Error(t('workflow.keepCamera')));
      if (ids.length !== request.cameraIds.length) body.cameraIds = ids;
    }
    const scopes = scopePick.read();
    if (scopes.length === 0) return outcome.fail(new Error(t('workflow.keepScope')));
    if (scopes.length !== request.scopes.length) body.scopes = scopes;
    const start = fromLocalInput(startsAt.value);
    const end = fromLocalInput(endsAt.value);
    if (start !== undefined && toLocalInput(start) !== toLocalInput(request.startsAt)) body.startsAt = start;
    if (end !== undefined && toLocalInput(end) !== toLocalInput(request.endsAt)) body.endsAt = end;
    if (approveReason.value.trim()) body.reason = approveReason.value.trim();
    if (lookback?.value && scopes.includes('playback')) {
      body.playbackLookback = lookback.value;
      if (lookback.value === 'days') body.playbackDays = Number(lookbackDays.value);
    }
    try {
      const { grant } = await api(`/api/v1/access/requests/${encodeURIComponent(request.id)}/approve`, { method: 'POST', body });
      decided(t('workflow.approved', { until: formatTime(grant.endsAt) }));
    } catch (error) { outcome.fail(error); }
  };
  const reject = async () => {
    const reason = rejectReason.value.trim();
    if (!reason) { rejectReason.focus(); return outcome.fail(new Error(t('workflow.rejectNeedsReason'))); }
    try {
      await api(`/api/v1/access/requests/${encodeURIComponent(request.id)}/reject`, { method: 'POST', body: { reason } });
      decided(t('workflow.rejected'));
    } catch (error) { outcome.fail(error); }
  };

  const section = el('section', { class: 'card wide', 'data-testid': 'pending-request', 'data-request-id': request.id },
    el('h2', {}, t('workflow.asksFor', { department: directory.department(request.requesterDepartmentId), target: describeTarget(request, directory) })),
    el('p', { class: 'muted', 'data-testid': 'request-age' }, t('workflow.waiting', { age: formatAge(Date.now() - request.createdAt), asked: formatTime(request.createdAt) })),
    el('dl', {},
      el('dt', {}, t('workflow.colPurpose')), el('dd', {}, request.purpose),
      el('dt', {}, t('workflow.legalBasis')), el('dd', {}, request.legalBasis),
      el('dt', {}, t('workflow.windowAsked')), el('dd', {}, formatWindow(request.startsAt, request.endsAt))),
    el('fieldset', {}, el('legend', {}, t('workflow.approveLegend')),
      cameraPick ? el('div', {}, t('workflow.camerasLabel'), cameraPick.node) : null,
      el('div', {}, t('workflow.scopesLabel'), scopePick.node),
      lookback ? el('div', { class: 'row' }, el('label', {}, t('playback.lookback'), lookback), el('label', {}, t('playback.lookbackDays'), lookbackDays)) : null,
      el('div', { class: 'row' }, el('label', {}, t('common.from'), startsAt), el('label', {}, t('workflow.until'), endsAt)),
      approveReason,
      el('button', { type: 'button', class: 'primary', 'data-testid': 'approve', onclick: approve }, t('workflow.approve'))),
    el('fieldset', {}, el('legend', {}, t('workflow.reject')), rejectReason,
      el('button', { type: 'button', class: 'danger', 'data-testid': 'reject', onclick: reject }, t('workflow.reject'))),
    outcome.node);
  return section;
}
