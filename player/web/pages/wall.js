import { api } from '../api.js';
import { el } from '../dom.js';
import { pageNotifications } from '../event-stream.js';
import { t } from '../i18n/i18n.js';
import { WallGrid } from '../wall/wall-grid.js';
import { WallLayoutsBar } from '../wall/wall-layouts-bar.js';
import { tourSteps, WallTour } from '../wall/wall-tour.js';

export const WALL_SIZES = [1, 4, 9, 16];
const TOUR_MODES = ['cameras', 'layouts'];

/** The wall's address: everything it shows is in it, so a reload (or a bookmark) brings the same wall back. */
function wallHash(size, { ids = [], layout, tour, every } = {}) {
  const query = new URLSearchParams();
  if (ids.length) query.set('ids', ids.join(','));
  if (layout) query.set('layout', layout);
  if (tour) { query.set('tour', tour); query.set('every', String(every)); }
  const text = query.toString().replace(/%2C/g, ',');
  return `#/wall/${size}${text ? `?${text}` : ''}`;
}

/**
 * A video wall of 1/4/9/16 tiles that fits the screen; without ?ids= it fills the tiles with the cameras the
 * user may watch (fewer cameras than tiles: they repeat; the relay pulls each camera once anyway). Tiles
 * play WS-FLV: a browser opens at most 6 HTTP connections to one host, and endless HTTP-FLV responses would
 * use them all up. Saved layouts (per user, on the hub), a tour through the cameras or the layouts
 * (?tour=cameras|layouts&every=N), full screen, double-click to enlarge. Each tile says honestly what it is
 * doing (see wall-tile.js) and stops when the access behind it ends; the tiles share one notification stream.
 */
export async function renderWall(root, { args, query, signal }) {
  const size = WALL_SIZES.includes(Number(args[0])) ? Number(args[0]) : 4;
  const [cameras, saved] = await Promise.all([api('/api/v1/cameras', { signal }), api('/api/v1/console/wall-layouts', { signal })]);
  if (signal?.aborted) return undefined;
  const byId = new Map(cameras.map((c) => [c.id, c]));
  const requested = (query.get('ids') ?? '').split(',').filter(Boolean);
  const chosen = requested.length ? requested : cameras.filter((c) => c.access.live).map((c) => c.id);
  const tourMode = TOUR_MODES.includes(query.get('tour')) ? query.get('tour') : '';
  const every = Math.max(saved.tourMinSeconds, Math.round(Number(query.get('every'))) || 10);
  const layoutId = query.get('layout') ?? '';

  const grid = new WallGrid({ cameras: byId, notifications: pageNotifications });
  const layoutsBar = new WallLayoutsBar({
    layouts: saved.layouts, maxLayouts: saved.maxLayouts, selectedId: layoutId,
    current: () => ({ size: grid.size, cameraIds: grid.cameraIds.filter(Boolean) }),
    onOpen: (layout) => { location.hash = wallHash(layout.size, { ids: layout.cameraIds, layout: layout.id }); },
  });
  const fullscreen = el('button', {
    type: 'button', 'data-testid': 'wall-fullscreen',
    onclick: () => (document.fullscreenElement ? document.exitFullscreen() : grid.node.requestFullscreen()).catch(() => {}),
  }, t('wall.fullscreen'));
  const onFullscreen = () => {
    fullscreen.textContent = document.fullscreenElement ? t('wall.exitFullscreen') : t('wall.fullscreen');
    grid.fit();
  };
  document.addEventListener('fullscreenchange', onFullscreen);

  const tourSelect = el('select', { 'data-testid': 'tour-mode', 'aria-label': t('wall.tour') },
    [['', 'wall.tourOff'], ['cameras', 'wall.tourCameras'], ['layouts', 'wall.tourLayouts']]
      .map(([value, key]) => el('option', { value, selected: value === tourMode }, t(key))));
  const tourSeconds = el('input', { type: 'number', min: saved.tourMinSeconds, max: 3600, value: every, 'data-testid': 'tour-seconds', 'aria-label': t('wall.tourEvery'), class: 'tour-seconds' });
  const tourMessage = el('span', { class: 'muted', 'data-testid': 'tour-message' });
  const tourButton = el('button', {
    type: 'button', 'data-testid': 'tour-toggle',
    onclick: () => {
      if (tourMode) { location.hash = wallHash(size, { ids: requested, layout: layoutId }); return; }
      const seconds = Math.round(Number(tourSeconds.value));
      if (!(seconds >= saved.tourMinSeconds)) { tourMessage.textContent = t('wall.tourTooShort', { seconds: saved.tourMinSeconds }); return; }
      location.hash = wallHash(size, { ids: requested, layout: layoutId, tour: tourSelect.value || 'cameras', every: seconds });
    },
  }, tourMode ? t('wall.tourStop') : t('wall.tourStart'));

  const tourIndicator = el('span', { class: 'wall-tour-step' });
  const toolbar = el('div', { class: 'toolbar wall-toolbar' },
    el('h1', {}, t('wall.title', { size })),
    el('span', { class: 'wall-sizes' }, WALL_SIZES.map((n) => el('a', {
      class: n === size ? 'button active' : 'button', 'data-testid': `wall-size-${n}`, title: t('wall.sizeButton', { size: n }),
      href: wallHash(n, { ids: requested, tour: tourMode, every }),
    }, String(n)))),
    fullscreen,
    tourIndicator,
    el('button', { type: 'button', class: 'wall-more', 'data-testid': 'wall-more', 'aria-expanded': 'false', onclick: (event) => {
      const open = event.currentTarget.closest('.wall-toolbar').classList.toggle('open');
      event.currentTarget.setAttribute('aria-expanded', String(open));
    } }, t('wall.moreTools')),
    el('span', { class: 'wall-extra' }, layoutsBar.node, el('span', { class: 'wall-tour' }, tourSelect, tourSeconds, tourButton, tourMessage)),
    el('span', { class: 'muted wall-hint' }, t('wall.enlargeHint')));
  root.append(toolbar, grid.node);
  grid.follow(toolbar);

  let tour = null;
  const steps = tourMode ? tourSteps(tourMode, { size, cameraIds: chosen, layouts: saved.layouts }) : [];
  if (steps.length >= 2) {
    tour = new WallTour({ steps, seconds: every, show: (step) => grid.show(step.size, step.cameraIds) });
    tourIndicator.append(tour.indicator);
    tour.start();
  } else {
    if (tourMode) tourMessage.textContent = t('wall.tourNeedsMore');
    grid.show(size, Array.from({ length: size }, (_, i) => (chosen.length ? chosen[i % chosen.length] : null)));
  }
  return () => {
    tour?.stop();
    grid.stop();
    document.removeEventListener('fullscreenchange', onFullscreen);
    if (document.fullscreenElement === grid.node) document.exitFullscreen().catch(() => {});
  };
}
