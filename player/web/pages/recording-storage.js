import { api } from '../api.js';
import { el } from '../dom.js';
import { formatDateTime, t } from '../i18n/i18n.js';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

function formatBytes(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * Recording storage on the dashboard: the volume and per camera bytes, days kept and gaps
 * (GET /api/v1/dashboard/recording; admins and auditors see every camera, others their department's).
 */
export async function recordingStoragePanel() {
  const [report, cameras] = await Promise.all([api('/api/v1/dashboard/recording'), api('/api/v1/cameras').catch(() => [])]);
  const names = new Map(cameras.map((c) => [c.id, c.name]));
  const v = report.volume;
  const limits = [v.maxBytes > 0 ? t('recording.cap', { cap: formatBytes(v.maxBytes) }) : t('recording.noCap'), t('recording.floor', { floor: formatBytes(v.minFreeBytes) })].join('；');
  const rows = report.cameras.map((c) => el('tr', { 'data-testid': 'recording-storage-row' },
    el('td', {}, names.get(c.cameraId) ?? c.cameraId), el('td', {}, formatBytes(c.bytes)), el('td', {}, String(c.daysKept)),
    el('td', {}, String(c.gaps)), el('td', {}, formatDateTime(c.oldestAt)), el('td', {}, formatDateTime(c.newestAt))));
  return el('section', { class: 'recording-storage', 'data-testid': 'recording-storage' },
    el('h2', {}, t('recording.storageTitle')),
    el('p', { class: 'muted' }, `${t('recording.volume', { recorded: formatBytes(v.recordedBytes), free: formatBytes(v.freeBytes), size: formatBytes(v.volumeBytes) })}；${limits}`),
    rows.length === 0 ? el('p', { class: 'muted' }, t('recording.none')) : el('table', {},
      el('thead', {}, el('tr', {}, ...['camera', 'bytes', 'daysKept', 'gaps', 'oldest', 'newest'].map((k) => el('th', {}, t(`recording.${k}`))))),
      el('tbody', {}, ...rows)));
}
