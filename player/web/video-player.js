import { api, ApiError } from './api.js';
import { errorText } from './errors.js';
import { t } from './i18n/i18n.js';
import { term } from './terms.js';

/** What the player can ask for: HTTP-FLV and WS-FLV through mpegts.js, HLS through hls.js. */
export const PROTOCOLS = ['flv', 'ws-flv', 'hls'];

/** The ticket's WS-FLV path as a ws:// (wss:// on an https page) URL on this host. */
function webSocketUrl(path) {
  const url = new URL(path, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * Plays one camera into a <video>: asks the hub for a play session, then FLV through mpegts.js over HTTP or a
 * WebSocket (low latency, starts on the relay's cached key frame) or HLS through hls.js. Renews the
 * session's token before it lapses; stop() ends the session so the hub can stop pulling the camera.
 * onStatus(text, { state, kind, error }) reports in words and as a state: 'connecting' until the first frame
 * plays, then 'playing'; 'error' when a protocol fails (before the HLS fallback); 'stopped' when a renewal is refused.
 * When the session itself is gone (the hub node holding it died or restarted: the renewal finds no such session,
 * or no node answers) the player starts a new session on its own, with backoff, through whichever node answers.
 */
/** Waits before each new session after the previous one was lost (the last one repeats). */
const RECONNECT_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000];

/** A failure that means the session's node is gone, not that access was refused: start a new session. */
const sessionLost = (error) => !(error instanceof ApiError) || error.code === 'PLAY_SESSION_NOT_FOUND' || [502, 503, 504].includes(error.status);

// mpegts.js throws its own exception objects (not Errors: RuntimeException and kin) from a stream loader that is
// still reading when its player is destroyed, e.g. when the live page is left: nothing of ours is broken then, so
// those, and only those, within a few seconds of tearing an FLV player down, are not reported as page errors.
let lastFlvTeardown = 0;
const isFlvTeardownNoise = (reason) => Date.now() - lastFlvTeardown < 10_000 && reason !== null && typeof reason === 'object'
  && !(reason instanceof Error) && typeof reason.name === 'string' && /Exception$/.test(reason.name);
window.addEventListener('unhandledrejection', (event) => { if (isFlvTeardownNoise(event.reason)) event.preventDefault(); });
window.addEventListener('error', (event) => { if (isFlvTeardownNoise(event.error)) event.preventDefault(); });

export async function startPlayback(video, cameraId, { protocol = 'flv', onStatus = () => {} } = {}) {
  let ticket = await api(`/api/v1/cameras/${encodeURIComponent(cameraId)}/play`, { method: 'POST', body: { protocol } });
  let engine = null;
  let stopped = false;
  const tokenOf = (url) => new URL(url, location.href).searchParams.get('token');

  let reconnects = 0;
  let reconnectTimer = null;

  const renew = async () => {
    try {
      ticket = await api(`/api/v1/play/${ticket.sessionId}/renew`, { method: 'POST' });
      return true;
    } catch (error) {
      if (stopped) return false;
      if (sessionLost(error)) reconnect();
      else {
        onStatus(t('live.stoppedBecause', { reason: errorText(error) }), { state: 'stopped', kind: engine?.kind, error });
        stop();
      }
      return false;
    }
  };
  const renewTimer = setInterval(renew, Math.max(5_000, (ticket.expiresAt - Date.now()) / 2));

  /** A new session (the old one's node is gone), after a backoff; the first protocol again. */
  function reconnect() {
    if (stopped || reconnectTimer) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(reconnects, RECONNECT_DELAYS_MS.length - 1)];
    reconnects++;
    engine?.destroy();
    engine = null;
    onStatus(t('live.reconnecting'), { state: 'connecting' });
    reconnectTimer = setTimeout(async () => {
      reconnectTimer = null;
      if (stopped) return;
      const lost = ticket;
      try {
        ticket = await api(`/api/v1/cameras/${encodeURIComponent(cameraId)}/play`, { method: 'POST', body: { protocol } });
        // Where the old session still lives (a node that came back), it ends now rather than idling out.
        api(`/api/v1/play/${lost.sessionId}/stop`, { method: 'POST', keepalive: true }).catch(() => {});
      } catch (error) {
        if (sessionLost(error)) reconnect();
        else {
          onStatus(t('live.stoppedBecause', { reason: errorText(error) }), { state: 'stopped', error });
          stop();
        }
        return;
      }
      switchTo(firstEngine());
    }, delay);
  }

  /** HLS gave up: if the session is still there the camera is at fault (reported as before); if not, a new session. */
  const onHlsFatal = () => renew();

  const playHls = () => {
    if (window.Hls?.isSupported()) {
      const hls = new window.Hls({
        liveSyncDurationCount: 2,
        manifestLoadingMaxRetry: 6,
        // Each playlist fetch carries the newest token; segment URIs inside it inherit that token.
        xhrSetup: (xhr, url) => {
          const fresh = new URL(url, location.href);
          if (fresh.searchParams.has('token')) fresh.searchParams.set('token', tokenOf(ticket.hlsUrl));
          xhr.open('GET', fresh.toString(), true);
        },
      });
      hls.on(window.Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal || stopped) return;
        onStatus(t('live.hlsError', { detail: data.details }), { state: 'error', kind: 'hls' });
        void onHlsFatal();
      });
      hls.loadSource(ticket.hlsUrl);
      hls.attachMedia(video);
      return { kind: 'hls', destroy: () => hls.destroy() };
    }
    video.src = ticket.hlsUrl; // Safari plays HLS natively
    return { kind: 'hls', destroy: () => { video.removeAttribute('src'); video.load(); } };
  };

  // The token is checked when the connection opens; renewals do not touch a connection already running.
  const playFlv = (kind) => () => {
    const url = kind === 'ws-flv' ? webSocketUrl(ticket.wsFlvUrl) : new URL(ticket.flvUrl, location.href).toString();
    const player = window.mpegts.createPlayer(
      { type: 'flv', isLive: true, hasAudio: false, url },
      { enableStashBuffer: false, liveBufferLatencyChasing: true, autoCleanupSourceBuffer: true },
    );
    player.on(window.mpegts.Events.ERROR, (type, detail) => {
      if (stopped) return;
      onStatus(t('live.flvError', { protocol: term('protocol', kind), detail: `${type}: ${detail}` }), { state: 'error', kind });
      switchTo(playHls);
    });
    player.attachMediaElement(video);
    player.load();
    return { kind, destroy: () => { lastFlvTeardown = Date.now(); player.pause(); player.unload(); player.detachMediaElement(); player.destroy(); } };
  };

  const switchTo = (start) => {
    engine?.destroy();
    engine = start();
    video.muted = true; // autoplay needs muted video
    video.play().catch(() => {});
    const kind = engine.kind;
    onStatus(t('live.connecting', { protocol: term('protocol', kind) }), { state: 'connecting', kind });
    // "Playing" only once a frame is shown, so a camera that never connects never says so.
    video.addEventListener('playing', () => {
      if (stopped || engine?.kind !== kind) return;
      reconnects = 0;
      onStatus(t('live.playing', { protocol: term('protocol', kind) }), { state: 'playing', kind });
    }, { once: true });
  };

  function stop() {
    if (stopped) return;
    stopped = true;
    clearInterval(renewTimer);
    clearTimeout(reconnectTimer);
    engine?.destroy();
    engine = null;
    api(`/api/v1/play/${ticket.sessionId}/stop`, { method: 'POST', keepalive: true }).catch(() => {});
  }

  const wantsFlv = protocol === 'flv' || protocol === 'ws-flv';
  const flvUsable = wantsFlv && window.mpegts?.isSupported() && window.mpegts.getFeatureList().mseLivePlayback;
  const firstEngine = () => (flvUsable ? playFlv(protocol) : playHls);
  switchTo(firstEngine());
  return { get ticket() { return ticket; }, get kind() { return engine?.kind; }, stop };
}
