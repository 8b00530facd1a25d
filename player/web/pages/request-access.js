import { api } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';

const SCOPES = ['live', 'snapshot', 'ptz', 'events', 'playback'];

/** Asks the camera's owner department for a grant (the approval happens on the owner's side). */
export async function renderRequestAccess(root, { args }) {
  const camera = await api(`/api/v1/cameras/${encodeURIComponent(args[0])}`);
  const purpose = el('textarea', { name: 'purpose', required: true, minlength: 3, 'data-testid': 'purpose' });
  const legalBasis = el('input', { name: 'legalBasis', required: true, minlength: 3, 'data-testid': 'legal-basis' });
  const hours = el('input', { name: 'hours', type: 'number', min: 1, max: 720, value: 24 });
  const scopeBoxes = SCOPES.map((scope) => el('label', { class: 'pick' }, el('input', { type: 'checkbox', value: scope, checked: scope === 'live', 'data-testid': `scope-${scope}` }),
    scope === 'playback' ? t('playback.scopePlayback') : scope));
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
    el('h1', {}, `Request access to ${camera.name}`),
    el('p', {}, `Owner: ${camera.departmentName}`),
    el('fieldset', {}, el('legend', {}, 'Scopes'), scopeBoxes),
    lookbackField,
    el('label', {}, 'Purpose', purpose),
    el('label', {}, 'Legal basis', legalBasis),
    el('label', {}, 'For how many hours', hours),
    el('button', { type: 'submit' }, 'Send request'), result);
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
      result.textContent = `Request sent (${created.status ?? 'pending'}). The owner department will decide.`;
    } catch (error) {
      result.textContent = `Could not send the request: ${error.message}`;
    }
  });
  root.append(form);
}
