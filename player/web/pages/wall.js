import { api } from '../api.js';
import { watchAccess } from '../access-watch.js';
import { el, noAccessMessage } from '../dom.js';
import { sharedNotificationStream } from '../event-stream.js';
import { startPlayback } from '../video-player.js';

export const WALL_SIZES = [1, 4, 9, 16];

/**
 * A video wall of 1/4/9/16 tiles; without ?ids= it fills the tiles with the cameras the user may watch.
 * Tiles play WS-FLV: a browser opens at most 6 HTTP connections to one host, and endless HTTP-FLV responses
 * would use them all up (API calls and more tiles would wait). Each tile stops and says so when the access
 * behind it ends, like the live view; the tiles share one notification stream.
 */
export async function renderWall(root, { args, query }) {
  const size = WALL_SIZES.includes(Number(args[0])) ? Number(args[0]) : 4;
  const cameras = await api('/api/v1/cameras');
  const byId = new Map(cameras.map((c) => [c.id, c]));
  const requested = (query.get('ids') ?? '').split(',').filter(Boolean);
  const watchable = cameras.filter((c) => c.access.live);
  const chosen = requested.length ? requested : watchable.map((c) => c.id);
  // Fewer cameras than tiles: repeat them (the relay pulls each camera once anyway).
  const tiles = Array.from({ length: size }, (_, i) => (chosen.length ? chosen[i % chosen.length] : null));

  root.append(el('div', { class: 'toolbar' }, el('h1', {}, `Video wall (${size})`),
    WALL_SIZES.map((n) => el('a', { class: n === size ? 'button active' : 'button', href: `#/wall/${n}${requested.length ? `?ids=${requested.join(',')}` : ''}` }, String(n)))));
  const grid = el('div', { class: `wall wall-${size}`, 'data-testid': 'wall' });
  root.append(grid);
  const notifications = sharedNotificationStream();
  const stops = [];
  await Promise.all(tiles.map(async (cameraId, index) => {
    const camera = cameraId ? byId.get(cameraId) : undefined;
    const tile = el('div', { class: 'tile', 'data-testid': 'tile', 'data-index': index });
    grid.append(tile);
    if (!camera) { tile.append(el('p', { class: 'empty' }, 'no camera')); return; }
    const label = el('span', { class: 'tile-label' }, camera.name);
    if (!camera.access.live) { tile.append(label, noAccessMessage(camera)); return; }
    const video = el('video', { 'data-testid': 'tile-video', muted: true, autoplay: true, playsinline: true });
    const status = el('span', { class: 'tile-status', 'data-testid': 'tile-status' });
    tile.append(video, label, status);
    let playback;
    try {
      playback = await startPlayback(video, camera.id, { protocol: 'ws-flv', onStatus: (text) => { status.textContent = text; } });
    } catch (error) {
      video.remove();
      tile.append(noAccessMessage(camera, error.message));
      return;
    }
    const unwatch = watchAccess({ camera, playback, video, status, root: tile, notifications });
    stops.push(() => { unwatch(); playback.stop(); });
  }));
  return () => { for (const stop of stops) stop(); };
}
