import { has, t } from '../i18n/i18n.js';
import { term } from '../terms.js';

// An audit event's reason and details in words: known keys get their name and their value in words (protocols,
// reasons, durations, short ids); unknown keys stay as key=value. Nested objects (filters) are left out.
const ID_KEYS = new Set(['sessionId', 'grantId', 'requestId', 'alertId', 'candidateId']);

function valueText(key, value, directory) {
  if (key === 'protocol') return term('protocol', value);
  if (key === 'reason') return term('reason', value);
  if (key === 'durationMs') return t('audit.seconds', { seconds: Math.round(Number(value) / 1000) });
  if (key === 'cameraId') return directory.camera(value);
  if (key === 'departmentId' || key === 'ownerDepartmentId') return directory.department(value);
  if (ID_KEYS.has(key)) return String(value).slice(0, 8);
  return String(value);
}

/** 'reason · key: value, …' for the details cell. */
export function auditDetails(event, directory) {
  const parts = [];
  if (event.reason) parts.push(term('reason', event.reason));
  for (const [key, value] of Object.entries(event.details ?? {})) {
    if (value === null || value === undefined || typeof value === 'object') continue;
    if (key === 'reason' && value === event.reason) continue; // said once already
    const name = has(`audit.detail_${key}`) ? t(`audit.detail_${key}`) : key;
    parts.push(t('audit.detailPair', { name, value: valueText(key, value, directory) }));
  }
  return parts.join(' · ');
}
