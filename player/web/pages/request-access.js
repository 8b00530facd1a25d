import { api } from '../api.js';
import { el } from '../dom.js';
import { errorText } from '../errors.js';
import { t } from '../i18n/i18n.js';
import { term } from '../terms.js';
import { SCOPES } from './workflow-common.js';


/** Asks the camera's owner department for a grant (the approval happens on the owner's side). */
export async function renderRequestAccess(root, { args, signal }) {
  const camera = await api(`/api/v1/cameras/${encodeURIComponent(args[0])}`, { signal });
  const purpose = el('textarea', { name: 'purpose', required: true, minlength: 3, 'data-testid': 'purpose' });
  const legalBasis = el('input', { name: 'legalBasis', required: true, minlength: 3, 'data-testid': 'legal-basis' });
  const hours = el('input', { name: 'hours', type: 'number', min: 1, max: 720, value: 24 });
  const scopeBoxes = SCOPES.map((scope) => el('label', { class: 'pick' }, el('input', { type: 'checkbox', value: scope, checked: scope === 'live', 'data-testid': `scope-${scope}` }), term('scope', scope)));
  // The playback scope asks how far back the grantee may look (issue 16): no limit, the grant's window, or N days.
  const lookback = el('select', { 'data-testid': 'playback-lookback' }, ['none', 'window', 'days'].map((k) => el('option', { value: k }, t(`playback.lookback_${k}`))));
  const lookbackDays = el('input', { type: 'number', min: 1, max: 366, value: 7, 'data-testid': 'playback-days' });
  const lookbackField = el('fieldset', { hidden: true, 'data-testid': 'playback-lookback-field' }, el('legend', {}, t('playback.lookback')), lookback,
    el('label', {}, t('playback.lookbackDays'), lookbackDays));
  const playbackBox = scopeBoxes[SCOPES.indexOf('playback')].querySelector('input');
  const syncLookback = () => {
    lookbackField.hidden = !playbackBox.checked;
    lookbackDays.disabled = lookback.value !== 'days';
  };
  playbackBox.addEventListener('change', syncLookback);
  lookback.addEventListener('change', syncLookback);
  syncLookback();
  const result = el('p', { 'data-testid': 'request-result' });
  const form = el('form', { class: 'card', 'data-testid': 'request-form' },
    el('h1', {}, t('live.requestTitle', { camera: camera.name })),
    el('p', {}, t('live.owner', { department: camera.departmentName })),
    el('fieldset', {}, el('legend', {}, t('live.scopes')), scopeBoxes),
    lookbackField,
    el('label', {}, t('live.purpose'), purpose),
    el('label', {}, t('live.legalBasis'), legalBasis),
    el('label', {}, t('live.hours'), hours),
    el('button', { type: 'submit', 'data-testid': 'send-request' }, t('live.send')), result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const scopes = scopeBoxes.map((label) => label.querySelector('input')).filter((box) => box.checked).map((box) => box.value);
    try {
      const created = await api('/api/v1/access/requests', {
        method: 'POST',
        body: {
          ownerDepartmentId: camera.departmentId, targetKind: 'cameras', cameraIds: [camera.id], scopes,
          purpose: purpose.value, legalBasis: legalBasis.value, startsAt: Date.now(), endsAt: Date.now() + Number(hours.value) * 3_600_000,
          ...(scopes.includes('playback') ? { playbackLookback: lookback.value, ...(lookback.value === 'days' ? { playbackDays: Number(lookbackDays.value) } : {}) } : {}),
        },
      });
      result.textContent = t('live.sent', { status: term('status', created.status ?? 'pending') });
      result.dataset.state = 'sent';
    } catch (error) {
      result.textContent = t('live.notSent', { error: errorText(error) });
      result.dataset.state = 'failed';
    }
  });
  root.append(form);
}
