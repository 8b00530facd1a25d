import { api } from '../api.js';
import { errorText } from '../errors.js';
import { el } from '../dom.js';
import { formatClock, formatDateTime, t } from '../i18n/i18n.js';

/**
 * A camera's timeline over [from, to): recorded spans, gaps, and events (plate passes, watchlist alerts,
 * crowd alerts) as marks; a click anywhere asks to play from that time, a click on a mark from a few
 * seconds before the event. For a GB/T 28181 channel a second bar shows the recordings the device itself
 * holds (RecordInfo); a click on one asks `onDevicePick(record)` to play it from the device.
 */
export async function renderTimeline(camera, range, onPick, onDevicePick) {
  const data = await api(`/api/v1/playback/cameras/${encodeURIComponent(camera.id)}/timeline?from=${range.from}&to=${range.to}`);
  const width = range.to - range.from;
  const pct = (at) => `${Math.max(0, Math.min(100, ((at - range.from) / width) * 100))}%`;
  const span = (cls, from, to, title) => el('div', { class: cls, title, style: `left:${pct(from)};width:calc(${pct(to)} - ${pct(from)})` });
  const cursor = el('div', { class: 'timeline-cursor', 'data-testid': 'timeline-cursor' });
  const bar = el('div', { class: 'timeline-bar', 'data-testid': 'timeline', 'data-camera-id': camera.id },
    data.spans.map((s) => span('timeline-span', s.from, s.to, `${t('playback.recorded')} ${formatClock(s.from, { seconds: true })}–${formatClock(s.to, { seconds: true })}`)),
    data.gaps.map((g) => {
      // A drop still going on is shown up to now and says so.
      const node = span(g.ongoing ? 'timeline-gap timeline-gap-ongoing' : 'timeline-gap', g.from, g.to, `${t(g.ongoing ? 'playback.gapOngoing' : 'playback.gap')} (${g.reason})`);
      node.dataset.testid = g.ongoing ? 'timeline-gap-ongoing' : 'timeline-gap';
      return node;
    }),
    data.events.map((e) => el('button', {
      type: 'button', class: `timeline-event event-${e.kind}`, style: `left:${pct(e.at)}`, 'data-testid': `timeline-${e.kind}`,
      title: `${t(`playback.${e.kind}`)} ${e.label} ${formatDateTime(e.at)}`,
      onclick: (event) => { event.stopPropagation(); onPick(e.at - 5_000); },
    })),
    cursor);
  bar.addEventListener('click', (event) => {
    const box = bar.getBoundingClientRect();
    onPick(Math.round(range.from + ((event.clientX - box.left) / box.width) * width));
  });
  const node = el('div', { class: 'timeline' },
    el('div', { class: 'timeline-labels' }, el('span', {}, formatClock(range.from)), el('span', { class: 'muted' }, camera.name), el('span', {}, formatClock(range.to))),
    bar);
  if (camera.source === 'gb28181' && onDevicePick) node.append(await deviceBar(camera, range, pct, onDevicePick));
  return { node, spans: data.spans, setCursor: (at) => { cursor.style.left = pct(at); } };
}

/** The device's own recordings of a GB channel as buttons on a bar of their own. */
async function deviceBar(camera, range, pct, onDevicePick) {
  const bar = el('div', { class: 'timeline-bar timeline-device-bar', 'data-testid': 'timeline-device', title: t('playback.deviceRecords') });
  try {
    const data = await api(`/api/v1/playback/cameras/${encodeURIComponent(camera.id)}/device-records?from=${range.from}&to=${range.to}`);
    if (data.records.length === 0) bar.title = t('playback.deviceRecordsNone');
    for (const record of data.records) {
      bar.append(el('button', {
        type: 'button', class: 'timeline-device', 'data-testid': 'timeline-device-record', style: `left:${pct(record.from)};width:calc(${pct(record.to)} - ${pct(record.from)})`,
        title: t('playback.deviceRecord', { from: formatClock(record.from, { seconds: true }), to: formatClock(record.to, { seconds: true }) }),
        onclick: (event) => { event.stopPropagation(); onDevicePick(record); },
      }));
    }
  } catch (error) {
    bar.title = t('playback.deviceRecordsFailed', { message: errorText(error) });
    bar.dataset.failed = 'true';
  }
  return bar;
}
