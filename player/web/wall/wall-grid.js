import { el } from '../dom.js';
import { WallTile } from './wall-tile.js';

/**
 * The tiles of the wall, sized to the room left on the screen (no scrolling at any of 1/4/9/16) and refitted
 * when the window changes; show() swaps the whole set (stopping the old streams); a double-click enlarges a
 * tile to the whole wall and another (or Esc) brings the others back.
 */
export class WallGrid {
  constructor({ cameras, notifications }) {
    this.cameras = cameras;
    this.notifications = notifications;
    this.tiles = [];
    this.node = el('div', { class: 'wall', 'data-testid': 'wall' });
    this.node.addEventListener('dblclick', (event) => {
      const tile = event.target.closest('.tile');
      if (tile) this.enlarge(this.node.dataset.enlarged === tile.dataset.index ? null : tile);
    });
    this.onKey = (event) => { if (/^Esc/.test(event.key)) this.enlarge(null); };
    this.fit = () => {
      if (!this.node.isConnected || document.fullscreenElement === this.node) return;
      const top = this.node.getBoundingClientRect().top + window.scrollY;
      this.node.style.height = `${Math.max(120, Math.floor(window.innerHeight - top - 16))}px`;
    };
    window.addEventListener('resize', this.fit);
    // The header (a phone's menu opening) or the toolbar (its tools unfolding) changing height moves the wall.
    this.resized = new ResizeObserver(() => this.fit());
    const top = document.getElementById('top');
    if (top) this.resized.observe(top);
    document.addEventListener('keydown', this.onKey);
  }

  /** Refits whenever `node` (the toolbar above the wall) changes height. */
  follow(node) {
    this.resized.observe(node);
  }

  /** Shows `size` tiles for cameraIds (in order; missing places stay empty) and starts them. */
  show(size, cameraIds) {
    this.stopTiles();
    this.enlarge(null);
    this.size = size;
    this.node.className = `wall wall-${size}`;
    this.tiles = Array.from({ length: size }, (_, index) => {
      const cameraId = cameraIds[index] ?? null;
      return new WallTile({ index, cameraId, camera: cameraId ? this.cameras.get(cameraId) : undefined, notifications: this.notifications });
    });
    this.node.replaceChildren(...this.tiles.map((tile) => tile.node));
    this.cameraIds = cameraIds.slice(0, size);
    this.fit();
    for (const tile of this.tiles) tile.start();
  }

  enlarge(tile) {
    for (const node of this.node.querySelectorAll('.tile.enlarged')) node.classList.remove('enlarged');
    if (tile) {
      tile.classList.add('enlarged');
      this.node.dataset.enlarged = tile.dataset.index;
      this.node.classList.add('has-enlarged');
    } else {
      delete this.node.dataset.enlarged;
      this.node.classList.remove('has-enlarged');
    }
  }

  stopTiles() {
    for (const tile of this.tiles) tile.stop();
    this.tiles = [];
  }

  stop() {
    this.stopTiles();
    window.removeEventListener('resize', this.fit);
    this.resized.disconnect();
    document.removeEventListener('keydown', this.onKey);
  }
}
