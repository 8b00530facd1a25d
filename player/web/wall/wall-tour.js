import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';

/**
 * A wall tour: shows each step (a set of tiles: { size, cameraIds }) for `seconds`, then the next, round and
 * round, until stop(). show(step) swaps the tiles; the indicator says which step is on.
 */
export class WallTour {
  constructor({ steps, seconds, show }) {
    this.steps = steps;
    this.seconds = seconds;
    this.showStep = show;
    this.index = -1;
    this.timer = null;
    this.indicator = el('span', { class: 'badge live', 'data-testid': 'tour-step' });
  }

  start() {
    this.next();
    this.timer = setInterval(() => this.next(), this.seconds * 1000);
  }

  next() {
    this.index = (this.index + 1) % this.steps.length;
    this.indicator.dataset.step = String(this.index + 1);
    this.indicator.textContent = t('wall.tourStep', { step: this.index + 1, steps: this.steps.length, seconds: this.seconds });
    this.showStep(this.steps[this.index]);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }
}

/** The steps of a tour: the cameras a wall's worth at a time, or the user's saved layouts in turn. */
export function tourSteps(mode, { size, cameraIds, layouts }) {
  if (mode === 'layouts') return layouts.map((l) => ({ size: l.size, cameraIds: l.cameraIds, name: l.name }));
  const steps = [];
  for (let i = 0; i < cameraIds.length; i += size) steps.push({ size, cameraIds: cameraIds.slice(i, i + size) });
  return steps;
}
