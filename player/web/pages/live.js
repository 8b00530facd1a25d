import { api, apiBlobUrl } from '../api.js';
import { el, noAccessMessage } from '../dom.js';
import { errorText } from '../errors.js';
import { t } from '../i18n/i18n.js';
import { term } from '../terms.js';
import { PROTOCOLS, startPlayback } from '../video-player.js';

const PTZ_MOVES = [
  ['up', '↑', { tilt: 0.5 }], ['left', '←', { pan: -0.5 }], ['right', '→', { pan: 0.5 }], ['down', '↓', { tilt: -0.5 }], ['zoomIn', '+', { zoom: 0.5 }], ['zoomOut', '−', { zoom: -0.5 }],
];

/** One camera live: HTTP-FLV by default, WS-FLV or HLS on request (HLS also as fallback), snapshot, PTZ when allowed. */
export async function renderLive(root, { args, query, signal }) {
  const cameraId = args[0];
  let camera;
  try {
    camera = await api(`/api/v1/cameras/${encodeURIComponent(cameraId)}`, { signal });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    root.append(el('div', { class: 'notice error', 'data-testid': 'live-error' }, errorText(error)));
    return;
  }
  root.append(el('h1', {}, camera.name, ' ', el('span', { class: `badge status-${camera.status}`, 'data-testid': 'camera-status', 'data-status': camera.status }, term('camera', camera.status))));
  if (!camera.access.live) {
    root.append(noAccessMessage(camera));
    return;
  }
  const protocol = PROTOCOLS.includes(query.get('protocol')) ? query.get('protocol') : 'flv';
  const video = el('video', { class: 'live', 'data-testid': 'live-video', muted: true, autoplay: true, playsinline: true });
  const status = el('p', { class: 'status', 'data-testid': 'play-status', 'data-state': 'starting' }, t('live.starting'));
  const tools = el('div', { class: 'toolbar', 'data-testid': 'protocol-choice' },
    PROTOCOLS.map((name) => el('a', {
      class: name === protocol ? 'button active' : 'button', 'data-protocol': name, href: `#/live/${encodeURIComponent(cameraId)}?protocol=${name}`,
    }, term('protocol', name))));
  if (camera.analyticsEnabled && camera.access.events) tools.append(el('a', { class: 'button', href: `#/crowd/${encodeURIComponent(cameraId)}`, 'data-testid': 'crowd-link' }, t('live.crowd')));
  root.append(video, status, tools);

  const onStatus = (text, info = {}) => {
    status.textContent = text;
    status.dataset.state = info.state ?? 'info';
    if (info.kind) status.dataset.kind = info.kind;
  };
  let playback;
  try {
    playback = await startPlayback(video, cameraId, { protocol, onStatus });
  } catch (error) {
    video.remove();
    status.remove();
    root.append(error.status === 403 ? noAccessMessage(camera, errorText(error)) : el('div', { class: 'notice error', 'data-testid': 'live-error' }, errorText(error)));
    return;
  }
  // The user left while the session was being opened: end it at once (the router has moved on).
  if (signal?.aborted) { playback.stop(); return; }

  if (camera.access.snapshot) {
    const image = el('img', { class: 'snapshot', alt: t('live.snapshot'), 'data-testid': 'snapshot-image' });
    tools.append(el('button', {
      type: 'button', 'data-testid': 'snapshot',
      onclick: async () => {
        try { image.src = await apiBlobUrl(`/api/v1/cameras/${encodeURIComponent(cameraId)}/snapshot?width=640`); } catch (error) { status.textContent = t('live.snapshotFailed', { error: errorText(error) }); }
      },
    }, t('live.snapshot')));
    root.append(image);
  }
  if (camera.ptz && camera.access.ptz) root.append(ptzPad(cameraId, status));
  // Stop at once when the grant behind this session is revoked or expires.
  const { watchAccess } = await import('../access-watch.js');
  const unwatch = watchAccess({ camera, playback, video, status, root });
  return () => { unwatch(); playback.stop(); };
}

function ptzPad(cameraId, status) {
  const call = (path, body) => api(`/api/v1/cameras/${encodeURIComponent(cameraId)}/ptz/${path}`, { method: 'POST', body })
    .catch((error) => { status.textContent = t('live.ptzFailed', { error: errorText(error) }); });
  return el('div', { class: 'ptz', 'data-testid': 'ptz' },
    PTZ_MOVES.map(([name, label, speeds]) => el('button', { type: 'button', title: t(`live.ptz_${name}`), 'aria-label': t(`live.ptz_${name}`), onclick: () => call('move', { ...speeds, timeoutMs: 800 }) }, label)),
    el('button', { type: 'button', title: t('live.ptz_stop'), 'aria-label': t('live.ptz_stop'), onclick: () => call('stop') }, '■'));
}
