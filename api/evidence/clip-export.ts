import { lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { DomainError } from '../kernel/errors/domain-error.ts';
import { runFfmpegOnce } from '../../ingest/ffmpeg/ffmpeg-run.ts';
import { clipCutArgs, clipJoinArgs } from '../../ingest/ffmpeg/evidence-args.ts';
import type { RecordedSegment, RecordingIndex } from '../../recording/recording-index.ts';
import type { EvidenceExport } from './evidence-repository.ts';

export interface ClipPlan {
  segments: RecordedSegment[];
  /** Wall time of the key frame the clip starts on (at or before the asked start). */
  startAt: number;
  endAt: number;
  /** Offset of startAt in the joined file, and the clip's length there (gaps are not in the file). */
  offsetMs: number;
  durationMs: number;
  gaps: Array<{ from: number; to: number }>;
}

/** Segments of the range that are on disk (vanished ones are marked missing), and where to cut. */
export async function planClip(index: RecordingIndex, recordingsRoot: string, job: Pick<EvidenceExport, 'camera_id' | 'from_at' | 'to_at'>): Promise<ClipPlan> {
  const root = resolve(recordingsRoot);
  const present: RecordedSegment[] = [];
  for (const segment of await index.segmentsBetween(job.camera_id, job.from_at, job.to_at)) {
    const path = resolve(root, segment.path);
    const info = path.startsWith(root + sep) ? await lstat(path).catch(() => undefined) : undefined;
    if (info?.isFile()) present.push(segment);
    else await index.markState(segment.id, 'missing');
  }
  const first = present[0];
  if (!first) throw new DomainError('EXPORT_NOT_RECORDED', 'nothing is recorded on this camera in the chosen time range');
  const into = Math.max(0, job.from_at - first.startedAt);
  const keyframe = Math.max(0, ...first.keyframes.filter((k) => k <= into));
  const startAt = first.startedAt + keyframe;
  const endAt = Math.min(job.to_at, present.at(-1)!.endedAt);
  let durationMs = 0;
  const gaps: ClipPlan['gaps'] = [];
  let previousEnd = startAt;
  for (const segment of present) {
    const a = Math.max(startAt, segment.startedAt);
    const b = Math.min(endAt, segment.endedAt);
    if (b > a) durationMs += b - a;
    if (segment.startedAt - previousEnd > 1_500) gaps.push({ from: previousEnd, to: segment.startedAt });
    previousEnd = Math.max(previousEnd, segment.endedAt);
  }
  return { segments: present, startAt, endAt, offsetMs: keyframe, durationMs, gaps };
}

export interface ClipRun {
  ffmpegPath: string;
  timeoutMs: number;
  recordingsRoot: string;
  folder: string;
  fileName: string;
  caption?: { lines: string[]; fontFile: string };
  onProgress: (fraction: number) => void;
  /** The hub is stopping: ffmpeg is stopped and the job goes back to the queue. */
  signal?: AbortSignal;
}

/** Parses `out_time_us=` from ffmpeg's -progress output into a fraction of `totalMs`. */
function progressReader(totalMs: number, report: (fraction: number) => void): (chunk: Buffer) => void {
  let buffered = '';
  return (chunk) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^out_time_us=(\d+)/.exec(line.trim());
      if (match && totalMs > 0) report(Math.min(1, Number(match[1]) / 1_000 / totalMs));
    }
  };
}

async function runPass(name: string, run: ClipRun, args: string[], stdin: string | undefined, totalMs: number, report: (f: number) => void): Promise<void> {
  const result = await runFfmpegOnce({ name, args, stdin, ffmpegPath: run.ffmpegPath, timeoutMs: run.timeoutMs, startErrorCode: 'EXPORT_FFMPEG_START', onStdout: progressReader(totalMs, report), signal: run.signal });
  if (result.aborted) throw new DomainError('EXPORT_INTERRUPTED', 'the hub stopped during this export; it runs again at the next start');
  if (result.timedOut) throw new DomainError('EXPORT_TIMEOUT', 'the export took too long and was stopped');
  if (result.code !== 0) {
    throw new DomainError('EXPORT_FFMPEG_FAILED', `ffmpeg could not ${name.endsWith('join') ? 'join the recorded segments' : 'cut the clip'} (exit ${result.code ?? result.signal})`, { details: { stderr: result.stderr.slice(0, 5) } });
  }
}

/**
 * Writes the clip: pass 1 joins the segments by stream copy, pass 2 cuts from the key frame for the
 * planned duration, by stream copy, or re-encoded with the caption burned in. Returns the output path.
 */
export async function writeClip(plan: ClipPlan, run: ClipRun): Promise<string> {
  await mkdir(run.folder, { recursive: true, mode: 0o700 });
  const joined = join(run.folder, 'joined.mp4');
  const output = join(run.folder, run.fileName);
  const total = plan.segments.reduce((sum, s) => sum + s.durationMs, 0);
  const join1 = clipJoinArgs(plan.segments.map((s) => resolve(run.recordingsRoot, s.path)), joined);
  const joinShare = run.caption ? 0.15 : 0.5;
  try {
    await runPass('ffmpeg:evidence:join', run, join1.args, join1.stdin, total, (f) => run.onProgress(f * joinShare));
    let caption;
    if (run.caption) {
      const textFile = join(run.folder, 'caption.txt');
      await writeFile(textFile, run.caption.lines.join('\n'), { mode: 0o600 });
      caption = { textFile, fontFile: run.caption.fontFile };
    }
    const cut = clipCutArgs(joined, output, plan.offsetMs / 1_000, plan.durationMs / 1_000, caption);
    await runPass('ffmpeg:evidence:cut', run, cut, undefined, plan.durationMs, (f) => run.onProgress(joinShare + f * (0.95 - joinShare)));
  } finally {
    await rm(joined, { force: true });
    await rm(join(run.folder, 'caption.txt'), { force: true });
  }
  return output;
}
