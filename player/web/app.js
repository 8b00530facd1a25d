import { auth } from './api.js';
import { clear, el } from './dom.js';
import { renderCameras } from './pages/cameras.js';
import { renderCrowd } from './pages/crowd.js';
import { renderLive } from './pages/live.js';
import { renderLogin } from './pages/login.js';
import { renderPlayback } from './pages/playback.js';
import { t } from './i18n/i18n.js';
import { renderRequestAccess } from './pages/request-access.js';
import { renderWall } from './pages/wall.js';
import { CHECKPOINT_PAGES, checkpointNavLinks } from './pages/checkpoint-routes.js';
import { WORKFLOW_PAGES, workflowNavLinks } from './pages/workflow-routes.js';

// Hash routes: #/login, #/cameras, #/live/<id>, #/wall/<n>?ids=a,b, #/request/<cameraId>, #/checkpoint?…, #/trajectory/<plate>, #/crowd/<cameraId>, #/playback?ids=a,b&at=<ms>.
// Each page is its own module: render(root, params) and may return a cleanup function.
const PAGES = { login: renderLogin, cameras: renderCameras, live: renderLive, wall: renderWall, request: renderRequestAccess, crowd: renderCrowd, playback: renderPlayback, ...WORKFLOW_PAGES, ...CHECKPOINT_PAGES };

let cleanup = null;

function header() {
  const top = clear(document.getElementById('top'));
  const user = auth.user;
  top.append(el('span', { class: 'brand' }, 'Camera sharing hub'));
  if (!user) return;
  top.append(
    el('nav', {}, el('a', { href: '#/cameras' }, 'Cameras'), el('a', { href: '#/wall/4' }, 'Video wall'), checkpointNavLinks(user),
      user.role === 'auditor' ? null : el('a', { href: '#/crowd', 'data-testid': 'nav-crowd' }, 'Crowd'),
      user.role === 'auditor' ? null : el('a', { href: '#/playback', 'data-testid': 'nav-playback' }, t('playback.nav')), workflowNavLinks(user)),
    el('span', { class: 'who', 'data-testid': 'who' }, `${user.username} · ${user.departmentName ?? ''}`),
    el('button', { type: 'button', onclick: () => { auth.clear(); location.hash = '#/login'; } }, 'Log out'),
  );
}

async function route() {
  if (cleanup) { try { cleanup(); } catch { /* page already gone */ } }
  cleanup = null;
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  const page = auth.token ? (PAGES[name] ? name : 'cameras') : 'login';
  header();
  const root = clear(document.getElementById('view'));
  root.dataset.page = page;
  try {
    cleanup = (await PAGES[page](root, { args: rest.map(decodeURIComponent), query: new URLSearchParams(query) })) ?? null;
  } catch (error) {
    root.append(el('div', { class: 'notice error' }, error.message));
  }
}

window.addEventListener('hashchange', route);
route();
