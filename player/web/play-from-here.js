import { api } from './api.js';
import { el } from './dom.js';
import { t } from './i18n/i18n.js';

const LEAD_MS = 5_000;
const BATCH = 200;
let queue = [];

async function flush() {
  const items = queue;
  queue = [];
  for (let i = 0; i < items.length; i += BATCH) {
    const batch = items.slice(i, i + BATCH);
    try {
      const { recorded } = await api('/api/v1/playback/coverage', { method: 'POST', body: { items: batch.map(({ cameraId, at }) => ({ cameraId, at })) } });
      batch.forEach((item, j) => {
        if (recorded[j]) {
          item.slot.append(el('a', { class: 'button play-from-here', 'data-testid': 'play-from-here',
            href: `#/playback?ids=${encodeURIComponent(item.cameraId)}&at=${item.at - LEAD_MS}` }, t('playback.playFromHere')));
        }
      });
    } catch { /* no link when the check fails */ }
  }
}

/**
 * "Play from here" (从此处回放) for a pass or an alert: a slot that gets a link to the playback page a few
 * seconds before the event when the camera recorded then and the user may play it back. Slots created in
 * the same tick are checked with one request.
 */
export function playFromHere(cameraId, at) {
  const slot = el('span', { class: 'play-from-here-slot' });
  if (!cameraId || !Number.isFinite(at)) return slot;
  if (queue.length === 0) setTimeout(flush, 0);
  queue.push({ cameraId, at, slot });
  return slot;
}
