import { api } from '../api.js';
import { el } from '../dom.js';
import { colourBadge, confidence, plateLink } from './checkpoint-common.js';
import { formatTime, table } from './workflow-common.js';

const KINDS = { impossible_speed: 'impossible speed', colour_mismatch: 'plate colour mismatch' };

/** Cloned-plate (套牌) findings, each with both passes as evidence (time, camera, colour, confidence, crop). */
export async function renderFindingsSection(directory, images) {
  const findings = await api('/api/v1/checkpoint/findings?limit=100');
  const evidence = (pass) => el('div', { class: 'evidence', 'data-testid': 'finding-pass', 'data-pass-id': pass.id },
    images.thumbnail(pass),
    el('div', {},
      el('div', {}, formatTime(pass.passedAt)),
      el('div', {}, directory.camera(pass.cameraId)),
      el('div', {}, colourBadge(pass.plateColour), ` ${pass.plate} · ${confidence(pass.plateConfidence)}`)));
  const rows = findings.map((f) => {
    const measure = f.kind === 'impossible_speed' && f.speedKmh !== null
      ? `${Math.round(f.distanceKm ?? 0)} km apart, would need ${Math.round(f.speedKmh)} km/h` : '';
    return el('tr', { 'data-testid': 'finding-row', 'data-plate': f.plate, 'data-kind': f.kind },
      el('td', {}, formatTime(f.detectedAt)),
      el('td', {}, plateLink(f.plate)),
      el('td', {}, KINDS[f.kind] ?? f.kind, measure ? el('div', { class: 'muted' }, measure) : null),
      el('td', {}, evidence(f.evidence.a)),
      el('td', {}, evidence(f.evidence.b)));
  });
  return el('section', { class: 'findings' },
    el('h2', {}, 'Cloned-plate findings'),
    findings.length
      ? table(['Detected', 'Plate', 'Sign', 'First pass', 'Second pass'], rows, { 'data-testid': 'findings-table' })
      : el('p', { class: 'muted', 'data-testid': 'no-findings' }, 'No cloned-plate findings on cameras you may see.'));
}
