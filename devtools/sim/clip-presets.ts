import { buildClip, type ClipSegment } from './test-clip.ts';

export type ClipPreset = 'plates' | 'small' | 'hd';
export const CLIP_PRESETS: readonly ClipPreset[] = ['plates', 'small', 'hd'];

/** What is on screen during one stretch of the "plates" clip, so analytics tests know what must come out. */
export interface PlateTimelineEntry {
  image: string | null;
  startSeconds: number;
  endSeconds: number;
  /** The plate text from media/LABELS.tsv, or null when no plate is shown. */
  plate: string | null;
  colour: string | null;
  /** True when the plate is large and sharp enough that a working recogniser must read it. */
  mustRead: boolean;
}

const PLATE_SECONDS = 4;
const GAP_SECONDS = 1;

// Full scenes only; the aligned crops are recogniser inputs, too small to stand as a camera frame.
const PLATE_SCENES: Array<Omit<PlateTimelineEntry, 'startSeconds' | 'endSeconds'>> = [
  { image: 'plates/green_suED51712_street.jpg', plate: '苏ED51712', colour: 'green', mustRead: true },
  { image: 'plates/blue_zangDT5022_closeup.jpg', plate: '藏DT5022', colour: 'blue', mustRead: true },
  // A bare plate strip with no car around it: a detector may or may not find it.
  { image: 'plates/black_yueZP560gang_strip.jpg', plate: '粤ZP560港', colour: 'black', mustRead: false },
  { image: 'scenes/street_dog_bicycle_car.jpg', plate: null, colour: null, mustRead: false },
];

/** Each scene for 4 s, each followed by 1 s of black. The clip loops, so this repeats every `PLATES_CLIP_SECONDS`. */
export const PLATES_TIMELINE: readonly PlateTimelineEntry[] = (() => {
  const timeline: PlateTimelineEntry[] = [];
  let t = 0;
  for (const scene of PLATE_SCENES) {
    timeline.push({ ...scene, startSeconds: t, endSeconds: t + PLATE_SECONDS });
    t += PLATE_SECONDS;
    timeline.push({ image: null, plate: null, colour: null, mustRead: false, startSeconds: t, endSeconds: t + GAP_SECONDS });
    t += GAP_SECONDS;
  }
  return timeline;
})();
export const PLATES_CLIP_SECONDS = PLATES_TIMELINE[PLATES_TIMELINE.length - 1]!.endSeconds;

const segmentsOf = (timeline: readonly PlateTimelineEntry[]): ClipSegment[] =>
  timeline.map((entry) => ({ image: entry.image, seconds: entry.endSeconds - entry.startSeconds }));

const SCENE_SEGMENTS: ClipSegment[] = [
  { image: 'scenes/street_dog_bicycle_car.jpg', seconds: 3 },
  { image: 'plates/green_suED51712_street.jpg', seconds: 3 },
  { image: 'scenes/people_demo.png', seconds: 3 },
];

/** Builds (or finds in the cache) the clip of a preset. `small` is 640x360 at 15 fps for many-camera tests. */
export function buildPresetClip(preset: ClipPreset, cacheDir?: string): Promise<string> {
  switch (preset) {
    case 'plates':
      return buildClip({ segments: segmentsOf(PLATES_TIMELINE), width: 1920, height: 1080, fps: 25, gopSeconds: 1, cacheDir });
    case 'hd':
      return buildClip({ segments: SCENE_SEGMENTS, width: 1920, height: 1080, fps: 25, gopSeconds: 1, cacheDir });
    case 'small':
      return buildClip({ segments: SCENE_SEGMENTS, width: 640, height: 360, fps: 15, gopSeconds: 1, cacheDir });
  }
}

/** Frame size of a preset, for ONVIF profiles. */
export function presetResolution(preset: ClipPreset): { width: number; height: number; fps: number } {
  return preset === 'small' ? { width: 640, height: 360, fps: 15 } : { width: 1920, height: 1080, fps: 25 };
}
