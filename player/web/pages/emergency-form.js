import { api, auth } from '../api.js';
import { el } from '../dom.js';
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
    cameraBox.replaceChildren(cameraPick ? cameraPick.node : el('span', { class: 'muted' }, 'this department has no cameras'));
  };
  owner.addEventListener('change', fillCameras);
  fillCameras();
  const scopes = checkboxes('emergencyScopes', SCOPES.map((s) => ({ value: s, label: s })), ['live']);
  const minutes = el('input', { type: 'number', min: 1, max: 1440, value: 60, 'data-testid': 'emergency-minutes' });
  const reason = el('textarea', { minlength: 10, maxlength: 1000, required: true, placeholder: 'what is happening (at least 10 characters)', 'data-testid': 'emergency-reason' });
  const outcome = resultLine('emergency-result');

  const form = el('form', { class: 'card wide emergency', 'data-testid': 'emergency-form' },
    el('h2', {}, 'Emergency access (duty officer)'),
    el('p', { class: 'muted' }, 'Takes effect at once for a short time; the owner department is told and reviews it. Everything is audited.'),
    el('label', {}, 'Owner department', owner),
    el('div', {}, 'Cameras: ', cameraBox),
    el('div', {}, 'Scopes: ', scopes.node),
    el('label', {}, 'Minutes', minutes),
    el('label', {}, 'Reason', reason),
    el('button', { type: 'submit', class: 'danger' }, 'Take emergency access'),
    outcome.node);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const cameraIds = cameraPick?.read() ?? [];
    if (cameraIds.length === 0) return outcome.fail(new Error('Pick at least one camera.'));
    if (reason.value.trim().length < 10) return outcome.fail(new Error('Give a reason of at least 10 characters.'));
    try {
      const grant = await api('/api/v1/access/emergency', {
        method: 'POST',
        body: { ownerDepartmentId: owner.value, targetKind: 'cameras', cameraIds, scopes: scopes.read(), minutes: Number(minutes.value), reason: reason.value.trim() },
      });
      outcome.ok(`Emergency access until ${formatTime(grant.endsAt)}.`);
      await onCreated();
    } catch (error) { outcome.fail(error); }
  });
  return form;
}
