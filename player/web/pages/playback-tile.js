import { api } from '../api.js';
import { errorText } from '../errors.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';

// Only when the hub could not read the recording's frame rate (the ticket's frameRate is null).
const FALLBACK_FRAME_SECONDS = 1 / 25;

/**
 * One camera's recorded video in a playback: opens a playback session for [from, to) with the reason, plays
 * its HLS VOD playlist through hls.js, renews the session, and maps wall-clock time to media time through
 * each segment's EXT-X-PROGRAM-DATE-TIME (gaps are discontinuities, so media time skips them). With
 * `fromDevice` the recording is played from the GB/T 28181 device itself (same session rules, renew and stop).
 */
export class PlaybackTile {
  constructor(camera, range, reason, fromDevice = false) {
    this.camera = camera;
    this.fromDevice = fromDevice;
    this.range = range;
    this.reason = reason;
    this.details = null;
    this.frameSeconds = FALLBACK_FRAME_SECONDS;
    this.video = el('video', { muted: true, playsinline: true, 'data-testid': 'playback-video', 'data-camera-id': camera.id });
    this.video.muted = true;
    this.status = el('p', { class: 'muted', 'data-testid': 'playback-status' }, t('playback.opening'));
    this.overlay = el('div', { class: 'playback-overlay', hidden: true }, t('playback.noRecording'));
    this.node = el('div', { class: 'playback-tile', 'data-camera-id': camera.id, 'data-from-device': String(fromDevice) },
      el('div', { class: 'tile-title' }, camera.name), el('div', { class: 'playback-frame' }, this.video, this.overlay), this.status);
    this.ready = this.open();
  }

  async open() {
    const tokenOf = (url) => new URL(url, location.href).searchParams.get('token');
    const opener = this.fromDevice ? 'device-sessions' : 'sessions';
    this.ticket = await api(`/api/v1/playback/cameras/${encodeURIComponent(this.camera.id)}/${opener}`, { method: 'POST', body: { from: this.range.from, to: this.range.to, reason: this.reason } });
    // A frame step moves one frame of this recording (read by the hub from its time stamps).
    if (this.ticket.frameRate) this.frameSeconds = 1 / this.ticket.frameRate;
    this.video.dataset.frameRate = String(this.ticket.frameRate ?? '');
    this.renewTimer = setInterval(async () => {
      try {
        this.ticket = await api(`/api/v1/playback/sessions/${this.ticket.sessionId}/renew`, { method: 'POST' });
      } catch (error) { this.end(errorText(error)); }
    }, Math.max(5_000, (this.ticket.expiresAt - Date.now()) / 2));
    const hls = new window.Hls({
      maxBufferLength: 30,
      // Every fetch carries the newest token of the session.
      xhrSetup: (xhr, url) => {
        const fresh = new URL(url, location.href);
        if (fresh.searchParams.has('token')) fresh.searchParams.set('token', tokenOf(this.ticket.playlistUrl));
        xhr.open('GET', fresh.toString(), true);
      },
    });
    this.hls = hls;
    const parsed = new Promise((resolve, reject) => {
      hls.on(window.Hls.Events.LEVEL_LOADED, (_event, data) => {
        // Kept by reference: hls.js corrects each fragment's start once it has parsed its timestamps.
        this.details = data.details;
        // ...and its duration to the media's. The listed duration is the recording index's: where the recorder
        // moved its wall clock earlier mid-recording, a segment's media runs past it into the next one's time.
        this.listedSeconds ??= data.details.fragments.map((f) => f.duration);
        resolve();
      });
      hls.on(window.Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        const code = data.response?.code;
        this.end(code === 403 ? t('playback.accessRevoked') : `HLS: ${data.details}`);
        reject(new Error(data.details));
      });
    });
    hls.loadSource(this.ticket.playlistUrl);
    hls.attachMedia(this.video);
    await parsed;
    this.status.textContent = '';
  }

  /** The playlist's segments as (wall start, media start, media duration, listed duration), read live from hls.js. */
  get fragments() {
    return (this.details?.fragments ?? []).map((f, i) => ({ pdt: f.programDateTime, start: f.start, duration: f.duration, listed: this.listedSeconds?.[i] ?? f.duration }));
  }

  /**
   * Media time of a wall-clock time, and whether it is recorded (else the next recorded time). A time two
   * segments claim goes to the first whose listed span holds it, as the hub's still export does, so that a
   * tile put on a time shows the frame a still of that time holds.
   */
  mediaOf(wall) {
    for (const f of this.fragments) {
      if (wall < f.pdt) return { time: f.start, exact: false, wall: f.pdt };
      if (wall < f.pdt + f.listed * 1_000) return { time: f.start + (wall - f.pdt) / 1_000, exact: true };
    }
    return undefined;
  }

  /** Wall-clock time now shown. */
  wallNow() {
    const now = this.video.currentTime;
    const fragments = this.fragments;
    const f = fragments.find((x) => now >= x.start && now < x.start + x.duration) ?? fragments.at(-1);
    return f ? f.pdt + (Math.min(now, f.start + f.duration) - f.start) * 1_000 : undefined;
  }

  /** Shows `wall`: seeks there, or marks the tile "not recorded" when the camera has nothing then. */
  seekTo(wall) {
    const target = this.mediaOf(wall);
    const covered = target?.exact === true;
    this.overlay.hidden = covered;
    if (covered) this.video.currentTime = target.time;
    // A device playback only holds a short window: a time outside it is asked of the device (MANSRTSP seek).
    else if (this.fromDevice && wall >= this.range.from && wall < this.range.to) this.deviceControl({ action: 'seek', at: Math.round(wall) });
    return covered;
  }

  /**
   * Pause, resume, seek and speed of a recording played from the GB/T 28181 device: the device itself is
   * told (the hub sends MANSRTSP), so it stops sending while paused and sends at the chosen pace.
   */
  deviceControl(body) {
    if (!this.fromDevice || !this.ticket || !this.hls) return;
    if (body.action === 'pause') this.devicePaused = true;
    if (body.action === 'resume' || body.action === 'seek') this.devicePaused = false;
    api(`/api/v1/playback/device-sessions/${encodeURIComponent(this.ticket.sessionId)}/control`, { method: 'POST', body })
      .catch((error) => { this.status.textContent = errorText(error); });
  }

  end(message) {
    clearInterval(this.renewTimer);
    this.status.textContent = message;
    this.status.className = 'notice error';
    this.node.dataset.ended = 'true';
    this.hls?.destroy();
    this.hls = null;
    this.video.pause();
    this.video.removeAttribute('src');
    this.video.load();
  }

  async stop() {
    clearInterval(this.renewTimer);
    this.hls?.destroy();
    if (this.ticket) await api(`/api/v1/playback/sessions/${this.ticket.sessionId}/stop`, { method: 'POST', keepalive: true }).catch(() => {});
  }
}
