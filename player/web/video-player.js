import { api } from './api.js';

/**
 * Plays one camera into a <video>: asks the hub for a play session, then FLV through mpegts.js (low latency,
 * starts on the relay's cached key frame) or HLS through hls.js. Renews the session's token before it
 * lapses; stop() ends the session so the hub can stop pulling the camera.
 */
export async function startPlayback(video, cameraId, { protocol = 'flv', onStatus = () => {} } = {}) {
  let ticket = await api(`/api/v1/cameras/${encodeURIComponent(cameraId)}/play`, { method: 'POST', body: { protocol } });
  let engine = null;
  let stopped = false;
  const tokenOf = (url) => new URL(url, location.href).searchParams.get('token');

  const renewTimer = setInterval(async () => {
    try {
      ticket = await api(`/api/v1/play/${ticket.sessionId}/renew`, { method: 'POST' });
    } catch (error) {
      onStatus(`stopped: ${error.message}`, error);
      stop();
    }
  }, Math.max(5_000, (ticket.expiresAt - Date.now()) / 2));

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
      hls.on(window.Hls.Events.ERROR, (_event, data) => { if (data.fatal) onStatus(`HLS error: ${data.details}`); });
      hls.loadSource(ticket.hlsUrl);
      hls.attachMedia(video);
      return { kind: 'hls', destroy: () => hls.destroy() };
    }
    video.src = ticket.hlsUrl; // Safari plays HLS natively
    return { kind: 'hls', destroy: () => { video.removeAttribute('src'); video.load(); } };
  };

  const playFlv = () => {
    const player = window.mpegts.createPlayer(
      { type: 'flv', isLive: true, hasAudio: false, url: new URL(ticket.flvUrl, location.href).toString() },
      { enableStashBuffer: false, liveBufferLatencyChasing: true, autoCleanupSourceBuffer: true },
    );
    player.on(window.mpegts.Events.ERROR, (type, detail) => {
      if (stopped) return;
      onStatus(`FLV error (${type}: ${detail}); switching to HLS`);
      switchTo(playHls);
    });
    player.attachMediaElement(video);
    player.load();
    return { kind: 'flv', destroy: () => { player.pause(); player.unload(); player.detachMediaElement(); player.destroy(); } };
  };

  const switchTo = (start) => {
    engine?.destroy();
    engine = start();
    video.muted = true; // autoplay needs muted video
    video.play().catch(() => {});
    onStatus(`playing (${engine.kind})`);
  };

  function stop() {
    if (stopped) return;
    stopped = true;
    clearInterval(renewTimer);
    engine?.destroy();
    engine = null;
    api(`/api/v1/play/${ticket.sessionId}/stop`, { method: 'POST', keepalive: true }).catch(() => {});
  }

  const flvUsable = protocol === 'flv' && window.mpegts?.isSupported() && window.mpegts.getFeatureList().mseLivePlayback;
  switchTo(flvUsable ? playFlv : playHls);
  return { get ticket() { return ticket; }, get kind() { return engine?.kind; }, stop };
}
