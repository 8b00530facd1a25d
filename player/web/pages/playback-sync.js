import { el } from '../dom.js';
import { formatDateTime, t } from '../i18n/i18n.js';

export const SPEEDS = [1, 2, 4, 8];
const DRIFT_SECONDS = 0.35;

/**
 * Plays up to four tiles in step: the first tile that shows a recorded time leads; every half second the
 * others are put on the leader's wall-clock time when they drift, and a tile with no recording at that
 * time waits (shown "not recorded") until its recording resumes. Speed, pause, frame steps and seeks apply
 * to all tiles.
 */
export class PlaybackSync {
  constructor(tiles, timelines) {
    this.tiles = tiles;
    this.timelines = timelines;
    this.rate = 1;
    this.playing = false;
    this.clock = el('strong', { 'data-testid': 'playback-clock' }, '—');
    this.timer = setInterval(() => this.tick(), 500);
  }

  leader() {
    return this.tiles.find((tile) => tile.hls && tile.overlay.hidden && tile.wallNow() !== undefined);
  }

  /** Wall-clock time shown now (of the leading tile). */
  now() {
    return this.leader()?.wallNow();
  }

  /** Puts every tile on `wall`; when no camera recorded then, on the next time one did. */
  seek(wall) {
    const live = this.tiles.filter((tile) => tile.hls);
    const targets = live.map((tile) => tile.mediaOf(wall)).filter(Boolean);
    const target = targets.some((x) => x.exact) || targets.length === 0 ? wall : Math.min(...targets.map((x) => x.wall));
    for (const tile of live) tile.seekTo(target);
    if (this.playing) this.play();
    this.show(target);
  }

  play() {
    this.playing = true;
    for (const tile of this.tiles) {
      tile.video.playbackRate = this.rate;
      if (tile.overlay.hidden) tile.video.play().catch(() => {});
      if (tile.devicePaused) tile.deviceControl({ action: 'resume' });
    }
  }

  pause() {
    this.playing = false;
    for (const tile of this.tiles) {
      tile.video.pause();
      if (tile.fromDevice && !tile.devicePaused) tile.deviceControl({ action: 'pause' });
    }
    this.settle();
  }

  /**
   * Puts every paused tile exactly on the leader's time. While playing, the browser paints the frame nearest
   * each screen refresh, so a tile paused mid-play can keep a frame one before or after its own position;
   * a seek paints the frame of that position. What each tile then shows is the frame of the time on the
   * clock, the time a still or an export is made at.
   */
  settle() {
    const wall = this.now();
    if (wall === undefined) return;
    for (const tile of this.tiles) {
      const target = tile.hls ? tile.mediaOf(wall) : undefined;
      if (target?.exact) tile.video.currentTime = target.time;
    }
    this.show(wall);
  }

  setRate(rate) {
    this.rate = rate;
    for (const tile of this.tiles) {
      tile.video.playbackRate = rate;
      // A device sends at 1× by default: it is asked for the chosen pace, or the buffer runs dry.
      if (tile.fromDevice) tile.deviceControl({ action: 'speed', scale: rate });
    }
  }

  /** One frame forward or back on every tile (pauses first), each by its own recording's frame interval. */
  step(direction) {
    this.pause();
    for (const tile of this.tiles) tile.video.currentTime = Math.max(0, tile.video.currentTime + direction * tile.frameSeconds);
    setTimeout(() => this.tick(), 100);
  }

  jump(seconds) {
    const now = this.now();
    if (now !== undefined) this.seek(now + seconds * 1_000);
  }

  tick() {
    // A seek in flight shows the old frame under the new time: wait for it.
    if (this.tiles.some((tile) => tile.hls && tile.video.seeking)) return;
    const leader = this.leader();
    const wall = leader?.wallNow();
    if (wall === undefined) return;
    for (const tile of this.tiles) {
      if (tile === leader || !tile.hls) continue;
      const target = tile.mediaOf(wall);
      if (!target?.exact) {
        tile.overlay.hidden = false;
        tile.video.pause();
        continue;
      }
      if (!tile.overlay.hidden) tile.overlay.hidden = true;
      if (Math.abs(tile.video.currentTime - target.time) > DRIFT_SECONDS * this.rate) tile.video.currentTime = target.time;
      if (this.playing && tile.video.paused) tile.video.play().catch(() => {});
    }
    this.show(wall);
  }

  show(wall) {
    this.clock.textContent = t('playback.clock', { time: formatDateTime(wall) });
    for (const tile of this.tiles) tile.video.dataset.wall = String(Math.round(tile.wallNow() ?? wall));
    for (const timeline of this.timelines) timeline.setCursor(wall);
  }

  stop() {
    clearInterval(this.timer);
  }
}
