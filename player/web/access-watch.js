import { api } from './api.js';
import { el } from './dom.js';
import { t } from './i18n/i18n.js';
import { pageNotifications } from './event-stream.js';

const STALL_MS = 2_000;
const CHECK_EVERY_MS = 2_500;

/**
 * Stops a live view when the access behind it ends. The relay cuts the session at revocation/expiry (FLV
 * connection destroyed, later segment and renew calls refused with 403/404), so the picture freezes; we
 * stop the player and say why. Three signals, whichever comes first:
 *  - `grant.ended` on the notification stream for the session's grant (immediate);
 *  - the picture stalls for 2 s: the grant (or, without one, the access decision) is looked up again;
 *  - the grant's own end time passes.
 * `notifications` (optional, from sharedNotificationStream; the page's shared stream by default); onEnd(reason)
 * tells the caller ('revoked' or 'expired').
 * Returns a cleanup function.
 */
export function watchAccess({ camera, playback, video, status, root, notifications, onEnd = () => {} }) {
  const grantId = playback.ticket?.grantId ?? null;
  let done = false;
  let lastTime = -1;
  let lastProgressAt = Date.now();
  let lastCheckAt = 0;
  let expiryTimer = null;

  const end = (reason) => {
    if (done) return;
    done = true;
    cleanup();
    playback.stop();
    video.pause();
    video.classList.add('ended');
    status.textContent = t(reason === 'expired' ? 'live.stoppedExpired' : 'live.stoppedRevoked');
    status.dataset.state = `stopped-${reason}`;
    const title = t(reason === 'expired' ? 'live.accessExpired' : 'live.accessRevoked');
    status.after(el('div', { class: 'notice denied', 'data-testid': 'access-ended', 'data-reason': reason },
      el('strong', {}, title),
      el('p', {}, t(reason === 'expired' ? 'live.expiredDetail' : 'live.revokedDetail', { camera: camera.name })),
      el('a', { href: `#/request/${encodeURIComponent(camera.id)}`, 'data-testid': 'request-access' }, t('live.requestAgain'))));
    onEnd(reason);
  };

  /** Is the access still there? Ends the view when it is not; network errors leave it running. */
  const recheck = async () => {
    lastCheckAt = Date.now();
    try {
      if (grantId) {
        const grant = await api(`/api/v1/access/grants/${encodeURIComponent(grantId)}`);
        if (grant.state === 'revoked') end('revoked');
        else if (grant.state === 'ended') end('expired');
        return;
      }
      const decision = await api(`/api/v1/access/cameras/${encodeURIComponent(camera.id)}/decision?scope=live`);
      if (!decision.allowed) end('revoked');
    } catch (error) {
      if (error.status === 404 || error.status === 403) end('revoked');
    }
  };

  const onEvent = (name, data) => { if (name === 'grant.ended' && data.grantId === grantId) end(data.reason === 'expired' ? 'expired' : 'revoked'); };
  // The page's one notification stream by default: a browser holds at most 6 connections to the hub.
  const closeStream = !grantId ? () => {} : (notifications ?? pageNotifications).subscribe(onEvent);

  const stallTimer = setInterval(() => {
    const now = Date.now();
    if (video.currentTime !== lastTime) {
      lastTime = video.currentTime;
      lastProgressAt = now;
      return;
    }
    if (now - lastProgressAt >= STALL_MS && now - lastCheckAt >= CHECK_EVERY_MS) recheck();
  }, 500);

  if (grantId) {
    api(`/api/v1/access/grants/${encodeURIComponent(grantId)}`).then((grant) => {
      if (done) return;
      const wait = grant.endsAt - Date.now();
      // setTimeout takes at most ~24.8 days; longer grants are caught by the stream or the stall check.
      if (wait < 2 ** 31 - 1) expiryTimer = setTimeout(() => end('expired'), Math.max(0, wait));
    }).catch(() => {});
  }

  function cleanup() {
    clearInterval(stallTimer);
    clearTimeout(expiryTimer);
    closeStream();
  }
  root.dataset.accessWatch = grantId ? 'grant' : 'decision';
  return () => { done = true; cleanup(); };
}
