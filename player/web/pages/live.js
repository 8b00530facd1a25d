import { api, apiBlobUrl } from '../api.js';
import { el, noAccessMessage } from '../dom.js';
import { PROTOCOLS, startPlayback } from '../video-player.js';

const PTZ_MOVES = [
  ['↑', { tilt: 0.5 }], ['←', { pan: -0.5 }], ['→', { pan: 0.5 }], ['↓', { tilt: -0.5 }], ['+', { zoom: 0.5 }], ['−', { zoom: -0.5 }],
];

/** One camera live: HTTP-FLV by default, WS-FLV or HLS on request (HLS also as fallback), snapshot, PTZ when allowed. */
export async function renderLive(root, { args, query }) {
  const cameraId = args[0];
  let camera;
  try {
    camera = await api(`/api/v1/cameras/${encodeURIComponent(cameraId)}`);
  } catch (error) {
    root.append(el('div', { class: 'notice error' }, error.message));
    return;
  }
  root.append(el('h1', {}, camera.name, ' ', el('span', { class: `badge status-${camera.status}` }, camera.status)));
  if (!camera.access.live) {
    root.append(noAccessMessage(camera));
    return;
  }
  const protocol = PROTOCOLS.some(([name]) => name === query.get('protocol')) ? query.get('protocol') : 'flv';
  const video = el('video', { class: 'live', 'data-testid': 'live-video', muted: true, autoplay: true, playsinline: true });
  const status = el('p', { class: 'status', 'data-testid': 'play-status' }, 'starting…');
  const tools = el('div', { class: 'toolbar', 'data-testid': 'protocol-choice' },
    PROTOCOLS.map(([name, label]) => el('a', {
      class: name === protocol ? 'button active' : 'button', 'data-protocol': name, href: `#/live/${encodeURIComponent(cameraId)}?protocol=${name}`,
    }, label)));
  if (camera.analyticsEnabled && camera.access.events) tools.append(el('a', { class: 'button', href: `#/crowd/${encodeURIComponent(cameraId)}`, 'data-testid': 'crowd-link' }, 'Crowd'));
  root.append(video, status, tools);

  let playback;
  try {
    playback = await startPlayback(video, cameraId, { protocol, onStatus: (text) => { status.textContent = text; } });
  } catch (error) {
    video.remove();
    status.remove();
    root.append(error.status === 403 ? noAccessMessage(camera, error.message) : el('div', { class: 'notice error' }, error.message));
    return;
  }

  if (camera.access.snapshot) {
    const image = el('img', { class: 'snapshot', alt: 'snapshot', 'data-testid': 'snapshot-image' });
    tools.append(el('button', {
      type: 'button', 'data-testid': 'snapshot',
      onclick: async () => {
        try { image.src = await apiBlobUrl(`/api/v1/cameras/${encodeURIComponent(cameraId)}/snapshot?width=640`); } catch (error) { status.textContent = `snapshot: ${error.message}`; }
      },
    }, 'Snapshot'));
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
    .catch((error) => { status.textContent = `PTZ: ${error.message}`; });
  return el('div', { class: 'ptz', 'data-testid': 'ptz' },
    PTZ_MOVES.map(([label, speeds]) => el('button', { type: 'button', onclick: () => call('move', { ...speeds, timeoutMs: 800 }) }, label)),
    el('button', { type: 'button', onclick: () => call('stop') }, '■'));
}
