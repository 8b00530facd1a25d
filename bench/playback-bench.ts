import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RecordingIndex } from '../recording/recording-index.ts';
import { buildPresetClip } from '../devtools/sim/clip-presets.ts';
import { startRtspServer } from '../devtools/sim/rtsp-server.ts';
import { startTestHub } from '../test/helpers/test-hub.ts';
import { exportClipMs, seekToFirstFrameMs } from './playback-measure.ts';

/**
 * Playback and export benchmark: N simulated 1080p cameras recorded continuously (the recording feature)
 * for a while, then seeks to random recorded times (seek → first segment, p50) and a 60 s evidence export.
 * Baselines from the same run: live play → first HLS segment p50 on the same cameras (the relay path), and
 * a plain copy of the same segment files (what a stream-copy export cannot beat).
 */
const { values } = parseArgs({ options: { cameras: { type: 'string' }, seconds: { type: 'string' }, seeks: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('Usage: npm run bench:playback -- [--cameras 5] [--seconds 75] [--seeks 20]');
  process.exit(0);
}
const CAMERAS = Number(values.cameras ?? 5);
const SECONDS = Number(values.seconds ?? 75);
const SEEKS = Number(values.seeks ?? 20);
const EXPORT_MS = Math.min(60_000, (SECONDS - 10) * 1_000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

const mounts = Array.from({ length: CAMERAS }, (_, i) => `/bench${i}`);
const rtsp = await startRtspServer({ mounts, clipPath: await buildPresetClip('hd') });
const t = await startTestHub('sqlite', { overrides: { relay: { maxSessionsPerUser: 1_000, idleStopSeconds: 5, viewerIdleSeconds: 60, startTimeoutSeconds: 20 }, recording: { segmentSeconds: 4 } } });
try {
  const cameras: string[] = [];
  for (const mount of mounts) {
    const created = await t.api('/api/v1/cameras', { user: t.users.psApprover, body: { name: `bench ${mount}`, departmentId: t.departments.ps, category: 'public_security', streamUrl: rtsp.urlFor(mount) } });
    cameras.push(created.body.id as string);
    const plan = await t.api(`/api/v1/cameras/${created.body.id}/recording`, { method: 'PUT', user: t.users.psApprover, body: { mode: 'continuous' } });
    if (plan.status !== 200) throw new Error(`recording plan: ${plan.status} ${JSON.stringify(plan.body)}`);
  }
  console.log(`recording ${CAMERAS} cameras for ${SECONDS} s…`);
  await new Promise((r) => setTimeout(r, SECONDS * 1_000));
  const index = new RecordingIndex(t.hub.ctx.db);
  const user = t.users.psViewer;

  // Baseline: live play → first HLS segment on the running pulls (the relay path).
  const live: number[] = [];
  for (const camera of cameras) {
    const started = performance.now();
    const play = await t.api(`/api/v1/cameras/${camera}/play`, { user, body: { protocol: 'hls' } });
    const cookie = play.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
    const playlist = await (await fetch(`${t.url}${play.body.hlsUrl}`, { headers: { cookie } })).text();
    const first = playlist.split('\n').find((l) => l.startsWith('seg_'))!;
    await (await fetch(`${t.url}/media/hls/${camera}/${first}`, { headers: { cookie } })).arrayBuffer();
    live.push(performance.now() - started);
    await t.api(`/api/v1/play/${play.body.sessionId}/stop`, { user, body: {} });
  }

  const seeks: number[] = [];
  for (let i = 0; i < SEEKS; i++) {
    const camera = cameras[i % cameras.length]!;
    const segments = await index.segmentsBetween(camera, 0, Date.now());
    const from = segments[0]!.startedAt;
    const to = segments.at(-1)!.endedAt;
    seeks.push(await seekToFirstFrameMs(t, user, camera, Math.round(from + Math.random() * (to - from - 5_000))));
  }

  const camera = cameras[0]!;
  const segments = await index.segmentsBetween(camera, 0, Date.now());
  const exportFrom = segments[0]!.startedAt + 500;
  const exported = await exportClipMs(t, user, camera, exportFrom, exportFrom + EXPORT_MS);
  // Baseline: copying the same segment files (bytes the export reads), no ffmpeg.
  const copyStarted = performance.now();
  const scratch = join(t.hub.ctx.dataDir, 'bench-copy');
  for (const segment of await index.segmentsBetween(camera, exportFrom, exportFrom + EXPORT_MS)) {
    await copyFile(join(t.hub.ctx.dataDir, 'recordings', segment.path), `${scratch}-${segment.id}`);
    await rm(`${scratch}-${segment.id}`);
  }
  const copyMs = performance.now() - copyStarted;

  console.log(`seeks: ${SEEKS} over ${CAMERAS} cameras; export: ${(exported.durationMs / 1_000).toFixed(1)} s of video, ${(exported.bytes / 1e6).toFixed(1)} MB`);
  console.log(`playback_cameras=${CAMERAS} seek_ms_p50=${median(seeks).toFixed(0)} export_60s_ms=${exported.ms.toFixed(0)} export_seconds=${(exported.durationMs / 1_000).toFixed(1)} baseline_live_first_segment_ms_p50=${median(live).toFixed(0)} baseline_copy_ms=${copyMs.toFixed(0)}`);
} finally {
  await t.stop();
  await rtsp.stop();
}
