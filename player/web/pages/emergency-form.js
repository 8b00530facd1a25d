import { api, auth } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { term } from '../terms.js';
import { checkboxes, formatTime, resultLine, SCOPES } from './workflow-common.js';

/** Duty officers: a time-boxed self-grant on another department's cameras, reviewed by the owner afterwards. */
export function renderEmergencyForm(directory, onCreated) {
  const others = directory.departments.filter((d) => d.id !== auth.user.departmentId);
  const owner = el('select', { 'data-testid': 'emergency-owner' }, others.map((d) => el('option', { value: d.id }, d.name)));
  const cameraBox = el('div', { class: 'checks' });
  let cameraPick = null;
  const fillCameras = () => {
    const cameras = directory.cameras.filter((c) => c.departmentId === owner.value);
    cameraPick = cameras.length ? checkboxes('emergencyCameras', cameras.map((c) => ({ value: c.id, label: c.name })), []) : null;
    cameraBox.replaceChildren(cameraPick ? cameraPick.node : el('span', { class: 'muted' }, t('workflow.noCamerasThere')));
  };
  owner.addEventListener('change', fillCameras);
  fillCameras();
  const scopes = checkboxes('emergencyScopes', SCOPES.map((s) => ({ value: s, label: term('scope', s) })), ['live']);
  const minutes = el('input', { type: 'number', min: 1, max: 1440, value: 60, 'data-testid': 'emergency-minutes' });
  const reason = el('textarea', { minlength: 10, maxlength: 1000, required: true, placeholder: t('workflow.emergencyPlaceholder'), 'data-testid': 'emergency-reason' });
  const outcome = resultLine('emergency-result');

  const form = el('form', { class: 'card wide emergency', 'data-testid': 'emergency-form' },
    el('h2', {}, t('workflow.emergencyTitle')),
    el('p', { class: 'muted' }, t('workflow.emergencyHelp')),
    el('label', {}, t('workflow.ownerDepartment'), owner),
    el('div', {}, t('workflow.camerasLabel'), cameraBox),
    el('div', {}, t('workflow.scopesLabel'), scopes.node),
    el('label', {}, t('workflow.minutes'), minutes),
    el('label', {}, t('workflow.reasonLabel'), reason),
    el('button', { type: 'submit', class: 'danger' }, t('workflow.emergencyTake')),
    outcome.node);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const cameraIds = cameraPick?.read() ?? [];
    if (cameraIds.length === 0) return outcome.fail(new Error(t('workflow.pickCamera')));
    if (reason.value.trim().length < 10) return outcome.fail(new Error(t('workflow.emergencyReasonShort')));
    try {
      const grant = await api('/api/v1/access/emergency', {
        method: 'POST',
        body: { ownerDepartmentId: owner.value, targetKind: 'cameras', cameraIds, scopes: scopes.read(), minutes: Number(minutes.value), reason: reason.value.trim() },
      });
      outcome.ok(t('workflow.emergencyUntil', { until: formatTime(grant.endsAt) }));
      await onCreated();
    } catch (error) { outcome.fail(error); }
  });
  return form;
}
