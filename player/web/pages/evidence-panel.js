import { api, apiBlobUrl } from '../api.js';
import { errorText } from '../errors.js';
import { el } from '../dom.js';
import { formatDateTime, t } from '../i18n/i18n.js';
import { fromChinaInput, toChinaInput } from './china-input.js';

const POLL_MS = 1_000;

/** Downloads an export with the bearer token (the file route is not a signed URL). */
async function download(job) {
  const url = await apiBlobUrl(`/api/v1/evidence/exports/${job.id}/file`);
  const link = el('a', { href: url, download: job.fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function jobRow(job) {
  const progress = Math.round(job.progress * 100);
  return el('li', { 'data-testid': 'export-job', 'data-export-id': job.id, 'data-state': job.state },
    el('span', { class: `badge state-${job.state}` }, t(`playback.state_${job.state}`)),
    el('progress', { max: 100, value: progress, 'data-testid': 'export-progress' }), ` ${progress}% `,
    el('span', {}, `${job.kind === 'clip' ? t('playback.exportClip') : job.source === 'snapshot' ? t('playback.exportSnapshot') : t('playback.exportStill')} · ${formatDateTime(job.from)}`),
    job.errorMessage && job.state === 'failed' ? el('span', { class: 'form-error' }, ` ${job.errorMessage}`) : null,
    job.state === 'done' ? el('span', {},
      el('button', { type: 'button', 'data-testid': 'export-download', onclick: () => download(job) }, t('playback.download')),
      el('small', { class: 'muted', 'data-testid': 'export-sha256' }, ` ${t('playback.sha256', { hash: job.sha256 })}`)) : null);
}

/**
 * Evidence export (证据导出) next to playback: a clip of a camera between two times (defaulting to the time
 * shown ± 30 s) or a still at the time shown, optionally captioned, with the reason; then the user's export
 * jobs with their progress, polled while any runs.
 */
export function evidencePanel(cameras, nowShown, reasonInput) {
  const camera = el('select', { 'data-testid': 'export-camera' }, cameras.map((c) => el('option', { value: c.id }, c.name)));
  const from = el('input', { type: 'datetime-local', step: 1, 'data-testid': 'export-from' });
  const to = el('input', { type: 'datetime-local', step: 1, 'data-testid': 'export-to' });
  const caption = el('input', { type: 'checkbox', 'data-testid': 'export-caption' });
  const result = el('p', { 'data-testid': 'export-result' });
  const list = el('ul', { class: 'export-jobs', 'data-testid': 'export-jobs' });
  const useCurrent = () => {
    const at = nowShown() ?? Date.now();
    from.value = toChinaInput(at - 30_000);
    to.value = toChinaInput(at + 30_000);
  };
  const create = async (kind) => {
    try {
      const body = { kind, cameraId: camera.value, from: fromChinaInput(from.value), caption: caption.checked, reason: reasonInput.value };
      if (kind === 'clip') body.to = fromChinaInput(to.value);
      if (kind === 'still') body.from = nowShown() ?? body.from;
      if (kind === 'snapshot') delete body.from;
      await api('/api/v1/evidence/exports', { method: 'POST', body });
      result.textContent = t('playback.exportQueued');
      result.className = '';
      await refresh();
    } catch (error) {
      result.textContent = errorText(error);
      result.className = 'form-error';
    }
  };
  let timer = null;
  async function refresh() {
    const jobs = await api('/api/v1/evidence/exports');
    list.replaceChildren(...jobs.slice(0, 20).map(jobRow));
    clearTimeout(timer);
    if (jobs.some((j) => j.state === 'queued' || j.state === 'running')) timer = setTimeout(() => refresh().catch(() => {}), POLL_MS);
  }
  useCurrent();
  refresh().catch(() => {});
  const node = el('section', { class: 'card evidence-panel', 'data-testid': 'evidence-panel' },
    el('h2', {}, t('playback.export')),
    el('div', { class: 'inline-form' }, camera,
      el('label', {}, t('playback.exportFrom'), from), el('label', {}, t('playback.exportTo'), to),
      el('button', { type: 'button', onclick: useCurrent }, t('playback.useCurrent'))),
    el('label', { class: 'pick' }, caption, t('playback.exportCaption')),
    el('div', { class: 'inline-form' },
      el('button', { type: 'button', class: 'primary', 'data-testid': 'export-clip', onclick: () => create('clip') }, t('playback.exportClip')),
      el('button', { type: 'button', 'data-testid': 'export-still', onclick: () => create('still') }, t('playback.exportStill')),
      el('button', { type: 'button', 'data-testid': 'export-snapshot', onclick: () => create('snapshot') }, t('playback.exportSnapshot'))),
    result, el('h3', {}, t('playback.exports')), list);
  return { node, close: () => clearTimeout(timer) };
}
