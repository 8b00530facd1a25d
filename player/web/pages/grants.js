import { api, auth } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { renderEmergencyForm } from './emergency-form.js';
import { badge, describeTarget, formatTime, formatWindow, hashFilter, hasRole, isApprover, loadDirectory, resultLine, scopesText, table } from './workflow-common.js';

const STATES = ['', 'active', 'scheduled', 'ended', 'revoked'];

/**
 * Grants my department holds (grantee) and gives (owner). Owner approvers and admins revoke with a reason
 * and review emergency grants; duty officers take emergency access here.
 */
export async function renderGrants(root, { query, signal }) {
  const directory = await loadDirectory(signal);
  const { value: state, select: filter } = hashFilter({ page: 'grants', name: 'state', values: STATES, query, allLabel: t('workflow.allStates'), testId: 'state-filter', group: 'state' });
  root.append(el('div', { class: 'toolbar' }, el('h1', {}, t('workflow.grants')), filter));
  const sections = el('div', {});
  root.append(sections);

  const load = async () => {
    const suffix = state ? `&state=${state}` : '';
    const sides = hasRole('admin', 'auditor')
      ? [[t('workflow.allGrants'), 'all', await api(`/api/v1/access/grants?${suffix.slice(1)}`, { signal })]]
      : [
        [t('workflow.heldGrants'), 'grantee', await api(`/api/v1/access/grants?side=grantee${suffix}`, { signal })],
        [t('workflow.givenGrants'), 'owner', await api(`/api/v1/access/grants?side=owner${suffix}`, { signal })],
      ];
    sections.replaceChildren(...sides.map(([title, side, grants]) => el('section', { 'data-testid': `grants-${side}` },
      el('h2', {}, title),
      grants.length === 0 ? el('p', { class: 'muted' }, t('workflow.noneFound'))
        : table([t('workflow.colGrantee'), t('workflow.colOwner'), t('workflow.colCovers'), t('workflow.colScopes'), t('workflow.colWindow'), t('workflow.colState'), t('workflow.colActions')], grants.map((g) => row(g, side, directory))))));
  };
  await load();
  if (auth.user?.dutyOfficer) root.append(renderEmergencyForm(directory, load));
}

/** One grant; after an action the row is rebuilt from the grant the API returned, with the outcome shown. */
function row(grant, side, directory, message) {
  const outcome = resultLine('grant-action-result');
  if (message) outcome.ok(message);
  const update = (updated, text) => tr.replaceWith(row(updated, side, directory, text));
  const decides = isApprover() && (side === 'owner' || auth.user.role === 'admin');
  const live = grant.state === 'active' || grant.state === 'scheduled';
  const actions = [];
  if (decides && live) {
    const reason = el('input', { placeholder: t('workflow.revokeReason'), maxlength: 1000, 'data-testid': 'revoke-reason' });
    actions.push(el('span', { class: 'inline-form' }, reason, el('button', {
      type: 'button', class: 'danger', 'data-testid': 'revoke',
      onclick: async () => {
        if (!reason.value.trim()) { reason.focus(); return outcome.fail(new Error(t('workflow.revokeNeedsReason'))); }
        try {
          const updated = await api(`/api/v1/access/grants/${encodeURIComponent(grant.id)}/revoke`, { method: 'POST', body: { reason: reason.value.trim() } });
          update(updated, t('workflow.revoked'));
        } catch (error) { outcome.fail(error); }
      },
    }, t('workflow.revoke'))));
  }
  if (decides && grant.emergency && grant.reviewedAt === null) actions.push(reviewForm(grant, outcome, update));
  const tr = el('tr', { 'data-testid': 'grant-row', 'data-grant-id': grant.id },
    el('td', {}, directory.department(grant.granteeDepartmentId)),
    el('td', {}, directory.department(grant.ownerDepartmentId)),
    el('td', {}, describeTarget(grant, directory), grant.emergency ? el('div', { class: 'muted' }, t('workflow.emergencyReason', { reason: grant.emergencyReason ?? '' })) : null),
    el('td', {}, scopesText(grant)),
    el('td', {}, formatWindow(grant.startsAt, grant.endsAt)),
    el('td', {}, badge(grant.state), grant.emergency ? [' ', badge(grant.reviewedAt ? 'reviewed' : 'to_review', 'state', 'emergency')] : null,
      grant.revokeReason ? el('div', { class: 'muted' }, t('workflow.revokedAt', { at: formatTime(grant.revokedAt), reason: grant.revokeReason })) : null),
    el('td', {}, actions, outcome.node));
  return tr;
}

/** After-the-fact review of an emergency grant by the owner: uphold, or revoke with a note. */
function reviewForm(grant, outcome, update) {
  const note = el('input', { placeholder: t('workflow.reviewNote'), maxlength: 1000, 'data-testid': 'review-note' });
  const send = (decision) => async () => {
    if (decision === 'revoke' && !note.value.trim()) { note.focus(); return outcome.fail(new Error(t('workflow.reviewNeedsNote'))); }
    try {
      const updated = await api(`/api/v1/access/grants/${encodeURIComponent(grant.id)}/review`, { method: 'POST', body: { outcome: decision, note: note.value.trim() || undefined } });
      update(updated, decision === 'upheld' ? t('workflow.upheld') : t('workflow.revokedOnReview'));
    } catch (error) { outcome.fail(error); }
  };
  return el('span', { class: 'inline-form', 'data-testid': 'review' }, note,
    el('button', { type: 'button', 'data-testid': 'review-uphold', onclick: send('upheld') }, t('workflow.uphold')),
    el('button', { type: 'button', class: 'danger', 'data-testid': 'review-revoke', onclick: send('revoke') }, t('workflow.revokeOnReview')));
}
