import { api } from '../api.js';
import { errorText } from '../errors.js';
import { openNotificationStream } from '../event-stream.js';
import { clear, el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { fromChinaInput, toChinaInput } from './china-input.js';
import { evidencePanel } from './evidence-panel.js';
import { PlaybackSync, SPEEDS } from './playback-sync.js';
import { PlaybackTile } from './playback-tile.js';
import { renderTimeline } from './playback-timeline.js';

const MAX_TILES = 4;
const HALF_WINDOW_MS = 30 * 60_000;

/**
 * #/playback?ids=a,b&at=<ms>: recorded video of up to four cameras played in sync from a time, with a
 * timeline per camera, speed, frame steps and evidence export. The reason asked here is audited with
 * every playback session and export.
 */
export async function renderPlayback(root, { query }) {
  const cameras = (await api('/api/v1/cameras')).filter((c) => c.access.playback);
  const preselected = new Set((query.get('ids') ?? '').split(',').filter(Boolean));
  const at = Number(query.get('at')) || Date.now() - 5 * 60_000;
  const boxes = cameras.map((c) => el('label', { class: 'pick' },
    el('input', { type: 'checkbox', value: c.id, checked: preselected.has(c.id), 'data-testid': 'playback-camera' }), c.name));
  const when = el('input', { type: 'datetime-local', step: 1, value: toChinaInput(at), 'data-testid': 'playback-at' });
  const reason = el('input', { maxlength: 1000, 'data-testid': 'playback-reason', placeholder: t('playback.reason') });
  const message = el('p', { class: 'form-error', 'data-testid': 'playback-error' });
  const area = el('div', { class: 'playback-area' });
  let teardown = () => {};

  const start = async (event) => {
    event?.preventDefault();
    message.textContent = '';
    const ids = boxes.map((b) => b.querySelector('input')).filter((b) => b.checked).map((b) => b.value);
    if (ids.length === 0) { message.textContent = t('playback.pickCamera'); return; }
    if (ids.length > MAX_TILES) { message.textContent = t('playback.tooMany'); return; }
    if (reason.value.trim().length < 3) { message.textContent = t('playback.reasonRequired'); return; }
    teardown();
    const from = fromChinaInput(when.value);
    teardown = await play(area, cameras.filter((c) => ids.includes(c.id)), from, reason, message);
  };

  root.append(el('h1', {}, t('playback.title')),
    cameras.length === 0 ? el('p', { class: 'muted' }, t('playback.noCameras')) : el('form', { class: 'card', 'data-testid': 'playback-form', onsubmit: start },
      el('fieldset', {}, el('legend', {}, t('playback.cameras')), boxes),
      el('label', {}, t('playback.at'), when), el('label', {}, t('playback.reason'), reason),
      el('button', { type: 'submit', class: 'primary', 'data-testid': 'playback-open' }, t('playback.open')), message),
    area);
  return () => teardown();
}

async function play(area, cameras, at, reason, message) {
  const range = { from: at - HALF_WINDOW_MS, to: Math.min(Date.now(), at + HALF_WINDOW_MS) };
  const tiles = cameras.map((c) => new PlaybackTile(c, range, reason.value.trim()));
  const sync = new PlaybackSync(tiles, []);
  const grid = el('div', { class: `playback-grid tiles-${tiles.length}` }, tiles.map((tile) => tile.node));
  // A device recording clicked on a GB channel's timeline: that camera's tile plays it from the device instead.
  const playFromDevice = async (camera, record) => {
    const index = tiles.findIndex((tile) => tile.camera.id === camera.id);
    const tile = new PlaybackTile(camera, { from: record.from, to: record.to }, reason.value.trim(), true);
    const old = tiles[index];
    tiles[index] = tile;
    old.node.replaceWith(tile.node);
    void old.stop();
    try {
      await tile.ready;
      sync.seek(record.from);
      sync.play();
    } catch (error) { tile.end(t('playback.failed', { message: errorText(error) })); }
  };
  const timelines = await Promise.all(cameras.map((c) => renderTimeline(c, range, (wall) => sync.seek(wall), (record) => playFromDevice(c, record)).catch((error) => ({ node: el('p', { class: 'form-error' }, errorText(error)), setCursor: () => {} }))));
  sync.timelines = timelines;
  const panel = evidencePanel(cameras, () => sync.now(), reason);
  const speeds = SPEEDS.map((rate) => el('button', { type: 'button', class: rate === 1 ? 'active' : '', 'data-testid': `speed-${rate}`,
    onclick: (event) => { sync.setRate(rate); for (const b of speeds) b.classList.toggle('active', b === event.currentTarget); } }, `${rate}×`));
  const controls = el('div', { class: 'toolbar playback-controls' },
    el('button', { type: 'button', 'data-testid': 'playback-play', onclick: () => sync.play() }, t('playback.play')),
    el('button', { type: 'button', 'data-testid': 'playback-pause', onclick: () => sync.pause() }, t('playback.pause')),
    el('button', { type: 'button', 'data-testid': 'step-back', onclick: () => sync.step(-1) }, t('playback.stepBack')),
    el('button', { type: 'button', 'data-testid': 'step-forward', onclick: () => sync.step(1) }, t('playback.stepForward')),
    el('button', { type: 'button', onclick: () => sync.jump(-10) }, t('playback.back10')),
    el('button', { type: 'button', onclick: () => sync.jump(10) }, t('playback.forward10')),
    el('span', { class: 'muted' }, t('playback.speed')), speeds, sync.clock);
  clear(area).append(controls, grid,
    el('div', { class: 'timelines' }, timelines.map((x) => x.node)), panel.node);
  const opened = await Promise.allSettled(tiles.map((tile) => tile.ready));
  opened.forEach((outcome, i) => { if (outcome.status === 'rejected') tiles[i].end(t('playback.failed', { message: errorText(outcome.reason) })); });
  if (opened.every((o) => o.status === 'rejected')) message.textContent = t('playback.failed', { message: errorText(opened[0].reason) });
  sync.seek(at);
  sync.play();
  // Revocation cuts playback at once, buffered video included: the hub ends the sessions, the player stops the tiles.
  const closeNotifications = openNotificationStream({ onEvent: (name, data) => {
    if (name !== 'grant.ended') return;
    for (const tile of tiles) {
      if (tile.ticket?.grantId === data.grantId && tile.hls) tile.end(t(data.reason === 'expired' ? 'playback.accessExpired' : 'playback.accessRevoked'));
    }
  } });
  return () => {
    closeNotifications();
    sync.stop();
    panel.close();
    for (const tile of tiles) tile.stop();
  };
}
