import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildPresetClip, presetResolution, type ClipPreset } from './clip-presets.ts';
import { startOnvifDevice, type OnvifDeviceHandle } from './onvif-device.ts';
import { startRtspServer, type RtspServerHandle } from './rtsp-server.ts';
import { REPO_ROOT } from './test-clip.ts';

export const DEFAULT_TARGETS_FILE = join(REPO_ROOT, 'data/sim/cameras.json');

export interface SimulatedCamerasOptions {
  count: number;
  preset?: ClipPreset;
  username?: string;
  password?: string;
  /** Also join the WS-Discovery multicast group (only the first device can get port 3702). */
  multicast?: boolean;
  /** Where to write the discovery targets; false = do not write (tests). Default data/sim/cameras.json. */
  targetsFile?: string | false;
  namePrefix?: string;
}

/** One simulated camera as the hub's discovery sees it. Credentials are included: this is a local test file. */
export interface SimulatedCameraTarget {
  name: string;
  xaddr: string;
  discovery: { host: '127.0.0.1'; port: number };
  rtspUrl: string;
  subRtspUrl: string;
}

export interface SimulatedCameras {
  cameras: Array<SimulatedCameraTarget & { device: OnvifDeviceHandle }>;
  mainServer: RtspServerHandle;
  /** Serves the 640x360 sub streams; the same server as mainServer for the `small` preset. */
  subServer: RtspServerHandle;
  username: string;
  password: string;
  targetsFile: string | undefined;
  stop(): Promise<void>;
}

/** N ONVIF devices on loopback, their main streams on one RTSP server and sub streams on another. */
export async function startSimulatedCameras(options: SimulatedCamerasOptions): Promise<SimulatedCameras> {
  const count = options.count;
  if (!Number.isInteger(count) || count < 1 || count > 500) throw new RangeError('count must be an integer from 1 to 500');
  const preset = options.preset ?? 'small';
  const username = options.username ?? 'admin';
  const password = options.password ?? 'admin123';
  const prefix = options.namePrefix ?? 'Sim camera';
  const indexes = Array.from({ length: count }, (_, i) => i + 1);

  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    await Promise.allSettled(started.splice(0).reverse().map((peer) => peer.stop()));
  };
  try {
    const [mainClip, subClip] = await Promise.all([buildPresetClip(preset), buildPresetClip('small')]);
    const mainServer = await startRtspServer({ mounts: indexes.map((i) => `/cam${i}`), clipPath: mainClip, username, password });
    started.push(mainServer);
    let subServer = mainServer;
    if (preset !== 'small') {
      subServer = await startRtspServer({ mounts: indexes.map((i) => `/cam${i}`), clipPath: subClip, username, password });
      started.push(subServer);
    }
    const cameras: SimulatedCameras['cameras'] = [];
    for (const i of indexes) {
      const name = `${prefix} ${i}`;
      const rtspUrl = mainServer.urlFor(`/cam${i}`);
      const subRtspUrl = subServer.urlFor(`/cam${i}`);
      const device = await startOnvifDevice({
        name,
        rtspUrl,
        subRtspUrl,
        username,
        password,
        hardware: preset === 'small' ? 'SimCam-360' : 'SimCam-1080',
        location: `sim-site/${Math.ceil(i / 10)}`,
        multicast: options.multicast && i === 1,
        mainResolution: presetResolution(preset),
        subResolution: presetResolution('small'),
      });
      started.push(device);
      cameras.push({ name, xaddr: device.xaddr, discovery: { host: '127.0.0.1', port: device.discoveryPort }, rtspUrl, subRtspUrl, device });
    }
    const targetsFile = options.targetsFile === false ? undefined : (options.targetsFile ?? DEFAULT_TARGETS_FILE);
    if (targetsFile) await writeTargets(targetsFile, cameras, username, password);
    return { cameras, mainServer, subServer, username, password, targetsFile, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function writeTargets(file: string, cameras: SimulatedCameraTarget[], username: string, password: string): Promise<void> {
  const content = {
    generatedAt: Date.now(),
    pid: process.pid,
    credentials: { username, password },
    discoveryTargets: cameras.map((c) => `${c.discovery.host}:${c.discovery.port}`),
    cameras: cameras.map(({ name, xaddr, discovery, rtspUrl, subRtspUrl }) => ({ name, xaddr, discovery, rtspUrl, subRtspUrl })),
  };
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  await rename(partial, file);
}
