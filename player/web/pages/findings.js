import { api } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { term } from '../terms.js';
import { colourBadge, confidence, plateLink } from './checkpoint-common.js';
import { formatTime, table } from './workflow-common.js';


/** Cloned-plate (套牌) findings, each with both passes as evidence (time, camera, colour, confidence, crop). */
export async function renderFindingsSection(directory, images, signal) {
  const findings = await api('/api/v1/checkpoint/findings?limit=100', { signal });
  const evidence = (pass) => el('div', { class: 'evidence', 'data-testid': 'finding-pass', 'data-pass-id': pass.id },
    images.thumbnail(pass),
    el('div', {},
      el('div', {}, formatTime(pass.passedAt)),
      el('div', {}, directory.camera(pass.cameraId)),
      el('div', {}, colourBadge(pass.plateColour), ` ${pass.plate} · ${confidence(pass.plateConfidence)}`)));
  const rows = findings.map((f) => {
    const measure = f.kind === 'impossible_speed' && f.speedKmh !== null
      ? t('checkpoint.speedMeasure', { km: Math.round(f.distanceKm ?? 0), speed: Math.round(f.speedKmh) }) : '';
    return el('tr', { 'data-testid': 'finding-row', 'data-plate': f.plate, 'data-kind': f.kind },
      el('td', {}, formatTime(f.detectedAt)),
      el('td', {}, plateLink(f.plate)),
      el('td', {}, term('finding', f.kind), measure ? el('div', { class: 'muted' }, measure) : null),
      el('td', {}, evidence(f.evidence.a)),
      el('td', {}, evidence(f.evidence.b)));
  });
  return el('section', { class: 'findings' },
    el('h2', {}, t('checkpoint.findings')),
    findings.length
      ? table([t('checkpoint.colDetected'), t('checkpoint.colPlate'), t('checkpoint.colSign'), t('checkpoint.colFirstPass'), t('checkpoint.colSecondPass')], rows, { 'data-testid': 'findings-table' })
      : el('p', { class: 'muted', 'data-testid': 'no-findings' }, t('checkpoint.noFindings')));
}
