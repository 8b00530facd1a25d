import { api } from '../api.js';
import { watchAccess } from '../access-watch.js';
import { el } from '../dom.js';
import { errorText } from '../errors.js';
import { t } from '../i18n/i18n.js';
import { startPlayback } from '../video-player.js';

/** How long a tile may go without a new frame before it looks at why (first picture, or a stall). */
const FIRST_PICTURE_MS = 20_000;
const STALL_MS = 8_000;
const RECHECK_MS = 10_000;

/**
 * One tile of the wall and its honest state, kept in data-state and shown in words:
 * empty, missing, no-access, connecting, playing, offline, error, revoked, expired. "playing" means frames
 * are arriving (the video's clock moves), never just that a stream was requested: a tile whose camera does
 * not deliver goes to offline (the hub's health status says so) or error, and back to playing if frames come.
 */
export class WallTile {
  constructor({ index, cameraId, camera, notifications }) {
    this.camera = camera;
    this.cameraId = cameraId;
    this.notifications = notifications;
    this.status = el('span', { class: 'tile-status', 'data-testid': 'tile-status' });
    this.node = el('div', { class: 'tile', 'data-testid': 'tile', 'data-index': index, 'data-camera-id': cameraId ?? undefined });
    this.stops = [];
    this.closed = false;
  }

  setState(state, detail) {
    if (this.closed) return;
    this.state = state;
    this.node.dataset.state = state;
    this.status.textContent = t(`wall.state.${state}`);
    this.status.title = detail ?? '';
  }

  async start() {
    const { camera } = this;
    if (!this.cameraId) { this.node.append(el('p', { class: 'empty' }, t('wall.noCamera'))); this.setState('empty'); return; }
    if (!camera) { this.node.append(el('p', { class: 'empty' }, t('wall.missingCamera')), this.status); this.setState('missing'); return; }
    const label = el('span', { class: 'tile-label' }, camera.name);
    if (!camera.access?.live) { this.node.append(label, this.status, this.noAccess()); this.setState('no-access'); return; }
    const video = el('video', { 'data-testid': 'tile-video', muted: true, autoplay: true, playsinline: true });
    this.node.append(video, label, this.status);
    this.setState('connecting');
    let playback;
    try {
      playback = await startPlayback(video, camera.id, { protocol: 'ws-flv', onStatus: (text, info) => this.onPlayerStatus(text, info) });
    } catch (error) {
      video.remove();
      if (error.status === 403) { this.node.append(this.noAccess()); this.setState('no-access', errorText(error)); }
      else if (error.status === 404) this.setState('missing', errorText(error));
      else { this.node.append(el('div', { class: 'notice error' }, errorText(error))); this.setState('error', errorText(error)); }
      return;
    }
    if (this.closed) { playback.stop(); return; }
    this.stops.push(() => playback.stop());
    this.watchFrames(video);
    const unwatch = watchAccess({
      camera, playback, video, status: this.status, root: this.node, notifications: this.notifications,
      onEnd: (reason) => {
        this.ended = true;
        const state = reason === 'expired' ? 'expired' : 'revoked';
        this.setState(state);
        // The live page's long notice does not fit a tile: a short one in its place.
        this.node.querySelector('[data-testid=access-ended]')?.replaceWith(el('div', { class: 'tile-no-access', 'data-testid': 'access-ended', 'data-reason': reason },
          el('span', {}, t(`wall.ended.${state}`)),
          el('a', { href: `#/request/${encodeURIComponent(camera.id)}`, 'data-testid': 'request-access' }, t('wall.requestAgain'))));
      },
    });
    this.stops.push(unwatch);
  }

  /**
   * What the player reports ({ state, kind, error }): a failed HLS (the last fallback) or a stopped session is
   * an error; an FLV error only means the player falls back to HLS. Playing is decided by frames, not here.
   */
  onPlayerStatus(text, info) {
    if (this.ended || !info) return;
    if (info.state === 'stopped' || (info.state === 'error' && info.kind === 'hls')) this.setState('error', text);
  }

  /** A small "no access" box with the way to ask for it (the tile is too small for the live page's notice). */
  noAccess() {
    return el('div', { class: 'tile-no-access', 'data-testid': 'no-access' },
      el('span', {}, t('wall.noAccess')),
      el('a', { href: `#/request/${encodeURIComponent(this.camera.id)}`, 'data-testid': 'request-access' }, t('wall.requestAccess')));
  }

  /** Frames arriving = playing; none for a while = ask the hub how the camera is. */
  watchFrames(video) {
    const startedAt = Date.now();
    let lastTime = 0;
    let lastProgressAt = 0;
    let lastCheckAt = 0;
    const onTime = () => {
      if (video.currentTime <= lastTime) return;
      lastTime = video.currentTime;
      lastProgressAt = Date.now();
      if (!this.ended && this.state !== 'playing') this.setState('playing');
    };
    video.addEventListener('timeupdate', onTime);
    const timer = setInterval(() => {
      if (this.ended) return;
      const now = Date.now();
      const silentFor = now - (lastProgressAt || startedAt);
      const limit = lastProgressAt ? STALL_MS : FIRST_PICTURE_MS;
      if (silentFor < limit || now - lastCheckAt < RECHECK_MS) return;
      lastCheckAt = now;
      this.diagnose();
    }, 1_000);
    this.stops.push(() => { clearInterval(timer); video.removeEventListener('timeupdate', onTime); });
  }

  async diagnose() {
    try {
      const camera = await api(`/api/v1/cameras/${encodeURIComponent(this.camera.id)}`);
      if (this.ended || this.closed) return;
      if (camera.status === 'offline') this.setState('offline');
      else if (camera.status === 'auth_failed') this.setState('error', t('wall.cameraAuthFailed'));
      else this.setState('error', t('wall.noPicture'));
    } catch (error) {
      if (!this.ended) this.setState(error.status === 404 ? 'missing' : 'error', errorText(error));
    }
  }

  stop() {
    this.closed = true;
    for (const stop of this.stops.splice(0)) stop();
  }
}
