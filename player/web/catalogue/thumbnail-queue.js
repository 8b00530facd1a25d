// Thumbnails load a few at a time (the hub takes at most a few stills at once and answers 429 beyond that),
// retried after a pause when busy; object URLs are released when the page goes.
import { apiBlobUrl } from '../api.js';

export class ThumbnailQueue {
  constructor(concurrency = 2) {
    this.concurrency = concurrency;
    this.waiting = [];
    this.running = 0;
    this.urls = [];
    this.closed = false;
  }

  /** Fills img with the camera's thumbnail when its turn comes; marks it failed when there is none. */
  load(cameraId, img) {
    this.waiting.push({ cameraId, img, tries: 0 });
    this.pump();
  }

  pump() {
    while (!this.closed && this.running < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift();
      this.running++;
      apiBlobUrl(`/api/v1/cameras/${encodeURIComponent(job.cameraId)}/thumbnail`)
        .then((url) => {
          if (this.closed) { URL.revokeObjectURL(url); return; }
          this.urls.push(url);
          job.img.src = url;
          job.img.classList.add('loaded');
        })
        .catch((error) => {
          if (error.status === 429 && job.tries < 4 && !this.closed) {
            job.tries++;
            setTimeout(() => { this.waiting.push(job); this.pump(); }, 1_500 * job.tries);
          } else {
            job.img.classList.add('failed');
            job.img.dataset.error = error.code ?? 'ERROR';
          }
        })
        .finally(() => { this.running--; this.pump(); });
    }
  }

  close() {
    this.closed = true;
    this.waiting = [];
    for (const url of this.urls) URL.revokeObjectURL(url);
  }
}
