import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildPresetClip, CLIP_PRESETS, type ClipPreset } from './clip-presets.ts';
import { RtspPullClient } from './rtsp-pull-client.ts';
import { startRtspServer } from './rtsp-server.ts';

// CPU of the simulated RTSP server with every mount played by a client:
// node --import tsx devtools/sim/measure-rtsp-load.ts --count 50 --preset hd
const { values } = parseArgs({ options: { count: { type: 'string', default: '50' }, preset: { type: 'string', default: 'hd' }, seconds: { type: 'string', default: '20' } } });
const count = Number(values.count);
if (!CLIP_PRESETS.includes(values.preset as ClipPreset)) throw new Error(`--preset must be one of ${CLIP_PRESETS.join(', ')}`);
const clipPath = await buildPresetClip(values.preset as ClipPreset);
const mounts = Array.from({ length: count }, (_, i) => `/cam${i + 1}`);
const server = await startRtspServer({ mounts, clipPath, username: 'load', password: 'load' });
const clients: RtspPullClient[] = [];
try {
  for (const mount of mounts) {
    const client = new RtspPullClient(server.urlFor(mount), { username: 'load', password: 'load' });
    clients.push(client);
    await client.connect();
    await client.play();
  }
  const cpuTicks = () => {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
  };
  const bytes = () => clients.reduce((sum, c) => sum + c.stats.rtpBytes, 0);
  await new Promise((resolve) => setTimeout(resolve, 3_000)); // warm-up
  const [t0, b0, w0] = [cpuTicks(), bytes(), Date.now()];
  await new Promise((resolve) => setTimeout(resolve, Number(values.seconds) * 1000));
  const [t1, b1, w1] = [cpuTicks(), bytes(), Date.now()];
  const seconds = (w1 - w0) / 1000;
  console.log(JSON.stringify({
    cameras: count,
    preset: values.preset,
    serverCpuCores: Number(((t1 - t0) / 100 / seconds).toFixed(3)),
    totalMbitPerSecond: Number((((b1 - b0) * 8) / 1e6 / seconds).toFixed(1)),
    slowestClientPackets: Math.min(...clients.map((c) => c.stats.rtpPackets)),
  }));
} finally {
  for (const client of clients) client.close();
  await server.stop();
}
