import { el } from './dom.js';
import { errorText } from './errors.js';

/**
 * The one router of the player: hash routes (#/<page>/<arg>…?query) to page modules render(root, ctx).
 * Each navigation gets a fresh page root and an AbortController; the previous page's controller is aborted
 * (its api() calls reject with AbortError) and its cleanup runs. A page that resolves late, after the user
 * moved on, had its root detached already, so its output never shows; its cleanup is run at once.
 * ctx = { args, query, signal }.
 */
export class Router {
  constructor({ pages, view, pick, onNavigate = () => {} }) {
    this.pages = pages;
    this.view = view;
    this.pick = pick; // (name) => page name to render (login when logged out, default page for unknown names)
    this.onNavigate = onNavigate;
    this.current = null;
    this.handler = () => { this.route(); };
  }

  start() {
    window.addEventListener('hashchange', this.handler);
    return this.route();
  }

  stop() {
    window.removeEventListener('hashchange', this.handler);
    this.leave();
  }

  /** Ends the page on screen: aborts its requests and runs its cleanup. */
  leave() {
    const previous = this.current;
    this.current = null;
    if (!previous) return;
    previous.controller.abort();
    runCleanup(previous.cleanup);
  }

  async route() {
    this.leave();
    const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
    const [name, ...rest] = path.split('/');
    const page = this.pick(name);
    const entry = { controller: new AbortController(), cleanup: null, page };
    this.current = entry;
    this.onNavigate(page);
    const root = el('div', { class: 'page', 'data-page-root': page });
    this.view.replaceChildren(root);
    this.view.dataset.page = page;
    const ctx = { args: rest.map(safeDecode), query: new URLSearchParams(query), signal: entry.controller.signal };
    try {
      const cleanup = await this.pages[page](root, ctx);
      if (this.current === entry) entry.cleanup = cleanup ?? null;
      else runCleanup(cleanup); // the user left while this page was still loading
    } catch (error) {
      if (this.current !== entry || error?.name === 'AbortError') return;
      root.append(el('div', { class: 'notice error', 'data-testid': 'page-error' }, errorText(error)));
    }
  }
}

function runCleanup(cleanup) {
  if (typeof cleanup !== 'function') return;
  try { cleanup(); } catch { /* the page is gone already */ }
}

function safeDecode(part) {
  try { return decodeURIComponent(part); } catch { return part; }
}
