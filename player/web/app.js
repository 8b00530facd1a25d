import { auth } from './api.js';
import { renderHeader } from './header.js';
import { has, locale, t } from './i18n/i18n.js';
import { renderCameras } from './pages/cameras.js';
import { renderCameraDetail } from './pages/camera-detail.js';
import { renderMap } from './pages/map.js';
import { renderRequestCameras } from './pages/request-cameras.js';
import { renderCrowd } from './pages/crowd.js';
import { renderLive } from './pages/live.js';
import { renderLogin } from './pages/login.js';
import { renderPlayback } from './pages/playback.js';
import { renderRequestAccess } from './pages/request-access.js';
import { renderWall } from './pages/wall.js';
import { syncConsoleNotifier } from './notify/console-notifier.js';
import { CHECKPOINT_PAGES } from './pages/checkpoint-routes.js';
import { WORKFLOW_PAGES } from './pages/workflow-routes.js';
import { Router } from './router.js';

// Hash routes: #/login, #/cameras, #/live/<id>, #/wall/<n>?ids=a,b, #/request/<cameraId>, #/checkpoint?…, #/trajectory/<plate>, #/crowd/<cameraId>.
// Each page is its own module: render(root, { args, query, signal }) and may return a cleanup function.
// The menu lives in nav.js; the router (router.js) cancels the previous page's work on every navigation.
const PAGES = { login: renderLogin, cameras: renderCameras, camera: renderCameraDetail, map: renderMap, 'request-cameras': renderRequestCameras, live: renderLive, wall: renderWall, request: renderRequestAccess, crowd: renderCrowd, playback: renderPlayback, ...WORKFLOW_PAGES, ...CHECKPOINT_PAGES };

document.documentElement.lang = locale();
const top = document.getElementById('top');
const router = new Router({
  pages: PAGES,
  view: document.getElementById('view'),
  pick: (name) => (auth.token ? (PAGES[name] ? name : 'cameras') : 'login'),
  onNavigate: (page) => {
    renderHeader(top, page);
    // The tab says where the user is: 审计 · 视频资源共享平台.
    document.title = has(`nav.${page}`) ? `${t(`nav.${page}`)} · ${t('common.appName')}` : t('common.appName');
    // Badges, the alert bell and toasts for whoever is logged in (none on the login page).
    syncConsoleNotifier(auth.token ? auth.user : null, top);
  },
});
router.start();
