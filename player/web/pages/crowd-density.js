import { api, apiBlobUrl } from '../api.js';
import { el } from '../dom.js';
import { errorText } from '../errors.js';
import { formatClock, t } from '../i18n/i18n.js';

const WHOLE_FRAME = '_all';
const round = (v) => (v === undefined || v === null ? '—' : Math.round(v));

/**
 * The live crowd figures of a camera (fused count per zone, with what the detector and the density model each
 * said) and the density heat map laid over a still of the camera. The still is taken once (each still is an
 * audited snapshot) and on request; the heat map follows every refresh.
 */
export function densityPanel(camera, names, { signal }) {
  const figures = el('ul', { class: 'crowd-latest', 'data-testid': 'density-figures' });
  const still = el('img', { class: 'density-still', alt: t('crowd.snapshot'), 'data-testid': 'density-still' });
  const heat = el('img', { class: 'density-heat', alt: t('crowd.heatMap'), 'data-testid': 'density-heat', hidden: true });
  const note = el('p', { class: 'muted', 'data-testid': 'density-note' });
  const board = el('div', { class: 'density-board' }, still, heat);
  const loadStill = async () => {
    if (!camera.access.snapshot) return;
    try {
      const previous = still.src;
      still.src = await apiBlobUrl(`/api/v1/cameras/${encodeURIComponent(camera.id)}/snapshot?width=640`, { signal });
      if (previous.startsWith('blob:')) URL.revokeObjectURL(previous);
    } catch (error) { if (error?.name !== 'AbortError') note.textContent = t('crowd.snapshotFailed', { error: errorText(error) }); }
  };
  const refresh = async () => {
    let latest;
    try {
      latest = await api(`/api/v1/analytics/cameras/${encodeURIComponent(camera.id)}/crowd/latest`, { signal });
    } catch (error) {
      if (error?.code === 'CROWD_NOT_COUNTED') { figures.replaceChildren(); note.textContent = t('crowd.densityNotYet'); heat.hidden = true; return; }
      throw error;
    }
    const zones = Object.keys(latest.fused).sort((a, b) => (a === WHOLE_FRAME ? -1 : b === WHOLE_FRAME ? 1 : a.localeCompare(b)));
    figures.replaceChildren(...zones.map((zone) => el('li', { 'data-testid': 'density-figure', 'data-zone': zone },
      el('strong', { class: 'count' }, round(latest.fused[zone])), ' ', names.get(zone) ?? zone,
      el('small', { class: 'muted' }, ` ${t('crowd.bySource', { detector: round(latest.detector[zone]), density: latest.density ? round(latest.density[zone]) : '—' })}`))));
    if (!latest.heatMap) {
      heat.hidden = true;
      note.textContent = t('crowd.noDensity', { at: formatClock(latest.at, { seconds: true }) });
      return;
    }
    const previous = heat.src;
    heat.src = await apiBlobUrl(`/api/v1/analytics/cameras/${encodeURIComponent(camera.id)}/crowd/heatmap.png`, { signal });
    heat.hidden = false;
    if (previous.startsWith('blob:')) URL.revokeObjectURL(previous);
    note.textContent = t('crowd.densityAt', { at: formatClock(latest.densityAt ?? latest.at, { seconds: true }) });
  };
  loadStill();
  const node = el('section', { class: 'crowd-density', 'data-testid': 'crowd-density' },
    el('h2', {}, t('crowd.densityTitle')), figures, board, note,
    camera.access.snapshot ? el('button', { type: 'button', onclick: loadStill }, t('crowd.newSnapshot')) : null);
  return { node, refresh };
}
