import { apiBlobUrl } from '../api.js';
import { el } from '../dom.js';
import { errorText } from '../errors.js';
import { t } from '../i18n/i18n.js';

const PARALLEL = 4;

/**
 * Pass crop/scene images fetched with the bearer header (the API takes no tokens in URLs) and shown as
 * object URLs. A few at a time, so a page of 50 results does not open 50 requests at once; release() frees
 * every object URL when the page goes away.
 */
export function passImageLoader() {
  const urls = [];
  const queue = [];
  let running = 0;
  let released = false;

  const pump = () => {
    while (running < PARALLEL && queue.length && !released) {
      const { img, path } = queue.shift();
      running++;
      apiBlobUrl(path)
        .then((url) => {
          if (released) { URL.revokeObjectURL(url); return; }
          urls.push(url);
          img.src = url;
          img.dataset.loaded = 'true';
        })
        .catch((error) => { img.alt = t('checkpoint.imageUnavailable'); img.title = errorText(error); img.dataset.loaded = 'failed'; })
        .finally(() => { running--; pump(); });
    }
  };

  return {
    /** An <img> that fills in when the pass's image arrives; a dash when the pass has none. */
    thumbnail(pass, kind = 'crop') {
      const has = kind === 'crop' ? pass.hasCrop : pass.hasScene;
      if (!has) return el('span', { class: 'muted' }, '—');
      const img = el('img', { class: `pass-${kind}`, alt: t(kind === 'crop' ? 'checkpoint.cropOf' : 'checkpoint.sceneOf', { plate: pass.plate }), 'data-testid': `pass-${kind}` });
      queue.push({ img, path: `/api/v1/checkpoint/passes/${encodeURIComponent(pass.id)}/${kind}` });
      pump();
      return img;
    },
    release() {
      released = true;
      queue.length = 0;
      for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    },
  };
}
