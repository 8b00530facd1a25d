// One form that asks several owner departments at once: one access request per owner department, each for
// the cameras (target 'cameras') or the area (target 'area') of that department the user picked.
import { api } from '../api.js';
import { el } from '../dom.js';
import { term } from '../terms.js';
import { errorText } from '../errors.js';
import { formatNumber, t } from '../i18n/i18n.js';

const SCOPES = ['live', 'snapshot', 'ptz', 'events'];

/** Groups cameras by owner department, leaving out the user's own department (it needs no request). */
export function targetsByOwner(cameras, user, kind, area) {
  const byOwner = new Map();
  for (const camera of cameras) {
    if (camera.departmentId === user.departmentId) continue;
    const target = byOwner.get(camera.departmentId) ?? { ownerDepartmentId: camera.departmentId, ownerDepartmentName: camera.departmentName, targetKind: kind, cameras: [] };
    target.cameras.push(camera);
    byOwner.set(camera.departmentId, target);
  }
  const targets = [...byOwner.values()];
  for (const target of targets) {
    if (kind === 'area') target.area = area;
    else target.cameraIds = target.cameras.map((c) => c.id);
  }
  return targets.sort((a, b) => a.ownerDepartmentName.localeCompare(b.ownerDepartmentName));
}

/** The form; onSent(results) after every request was tried. */
export function accessRequestForm(targets, { title, onSent = () => {}, onCancel } = {}) {
  const purpose = el('textarea', { name: 'purpose', required: true, minlength: 3, maxlength: 1000, 'data-testid': 'purpose' });
  const legalBasis = el('input', { name: 'legalBasis', required: true, minlength: 3, maxlength: 1000, 'data-testid': 'legal-basis' });
  const hours = el('input', { name: 'hours', type: 'number', min: 1, max: 720, value: 24, 'data-testid': 'hours' });
  const scopeBoxes = SCOPES.map((scope) => el('label', { class: 'pick' }, el('input', { type: 'checkbox', value: scope, checked: scope === 'live' || undefined }), term('scope', scope)));
  const result = el('div', { 'data-testid': 'request-result', 'aria-live': 'polite' });
  const submit = el('button', { type: 'submit', 'data-testid': 'send-request' }, targets.length > 1 ? t('catalogue.request.sendMany', { count: targets.length }) : t('catalogue.request.send'));
  const list = el('ul', { class: 'request-targets', 'data-testid': 'request-targets' }, targets.map((target) => el('li', { 'data-owner': target.ownerDepartmentId },
    el('strong', {}, target.ownerDepartmentName),
    ' · ',
    target.targetKind === 'area'
      ? t('catalogue.request.areaTarget', { count: formatNumber(target.cameras.length) })
      : t('catalogue.request.camerasTarget', { count: formatNumber(target.cameras.length) }),
    el('span', { class: 'muted' }, ` (${target.cameras.slice(0, 4).map((c) => c.name).join('、')}${target.cameras.length > 4 ? '…' : ''})`))));
  const form = el('form', { class: 'card request-form', 'data-testid': 'request-form' },
    el('h2', {}, title ?? t('catalogue.request.title')),
    targets.length === 0 ? el('p', { class: 'muted', 'data-testid': 'request-nothing' }, t('catalogue.request.nothing')) : list,
    el('fieldset', {}, el('legend', {}, t('catalogue.request.scopes')), scopeBoxes),
    el('label', {}, t('catalogue.request.purpose'), purpose),
    el('label', {}, t('catalogue.request.legalBasis'), legalBasis),
    el('label', {}, t('catalogue.request.hours'), hours),
    el('div', { class: 'toolbar' }, targets.length > 0 ? submit : null, onCancel ? el('button', { type: 'button', onclick: onCancel, 'data-testid': 'request-cancel' }, t('catalogue.request.cancel')) : null),
    result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const scopes = scopeBoxes.map((label) => label.querySelector('input')).filter((box) => box.checked).map((box) => box.value);
    if (scopes.length === 0) { result.textContent = t('catalogue.request.noScope'); return; }
    submit.disabled = true;
    const startsAt = Date.now();
    const endsAt = startsAt + Number(hours.value) * 3_600_000;
    const results = [];
    for (const target of targets) {
      const body = { ownerDepartmentId: target.ownerDepartmentId, targetKind: target.targetKind, scopes, purpose: purpose.value, legalBasis: legalBasis.value, startsAt, endsAt };
      if (target.targetKind === 'area') body.area = target.area;
      else body.cameraIds = target.cameraIds;
      try {
        results.push({ target, created: await api('/api/v1/access/requests', { method: 'POST', body }) });
      } catch (error) {
        results.push({ target, error });
      }
    }
    result.replaceChildren(...results.map(({ target, created, error }) => el('p', { class: error ? 'form-error' : 'ok', 'data-testid': error ? 'request-failed' : 'request-sent' },
      error ? t('catalogue.request.failed', { owner: target.ownerDepartmentName, reason: errorText(error) }) : t('catalogue.request.sent', { owner: target.ownerDepartmentName }))));
    submit.disabled = results.every((r) => !r.error);
    onSent(results);
  });
  return form;
}
