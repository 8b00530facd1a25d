import { Type, type Static } from '@sinclair/typebox';

/** Settings of the analytics pipeline (frames in, pass records and crowd counts out). */
export const AnalyticsConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    sampleFps: Type.Number({ minimum: 0.1, maximum: 25, default: 2 }),
    workers: Type.Integer({ minimum: 0, maximum: 64, default: 2, description: 'local inference worker threads (0 = none, remote workers only)' }),
    queueDepthPerCamera: Type.Integer({ minimum: 1, maximum: 1_000, default: 4 }),
    frameWidth: Type.Integer({ minimum: 160, maximum: 3840, default: 1920, description: 'frames are scaled (keeping aspect, padded) to this size once, in ffmpeg' }),
    frameHeight: Type.Integer({ minimum: 120, maximum: 2160, default: 1080 }),
    motionCellDelta: Type.Integer({ minimum: 1, maximum: 255, default: 12, description: 'grey-level change that marks a 64x36 thumbnail cell as changed' }),
    motionMinChangedFraction: Type.Number({ minimum: 0, maximum: 1, default: 0.003, description: 'fraction of changed cells below which a frame is skipped as static' }),
    keepaliveSeconds: Type.Number({ minimum: 1, maximum: 3_600, default: 10, description: 'analyse one frame this often even in a static scene' }),
    passGapSeconds: Type.Number({ minimum: 0.5, maximum: 120, default: 3, description: 'a pass closes when its plate was unseen this long' }),
    detectorTiles: Type.Integer({ minimum: 1, maximum: 3, default: 1, description: 'also run the person/vehicle detector on grid × grid overlapping tiles (2 or 3) and merge: finds people and cars too small for one pass over the frame, at about grid²+1 times the detector cost (docs/CROWD.md)' }),
    platelessPasses: Type.Boolean({ default: true, description: 'vehicles seen moving through the picture whose plate was never read make passes without a plate (GA/T 1400 HasPlate 0), found by time, camera, colour and class' }),
    farPlates: Type.Boolean({ default: true, description: 'when the 320 plate detector finds nothing in a frame, look again with the 640 one (plates about half as large: far cars); costs a 640 pass per plateless analysed frame' }),
    minPlateConfidence: Type.Number({ minimum: 0, maximum: 1, default: 0.6 }),
    maxOpenPassesPerCamera: Type.Integer({ minimum: 1, maximum: 1_000, default: 64 }),
    jpegQuality: Type.Integer({ minimum: 30, maximum: 100, default: 85 }),
    sceneMaxWidth: Type.Integer({ minimum: 160, maximum: 3840, default: 1280, description: 'scene images are stored at most this wide' }),
    passBatchSize: Type.Integer({ minimum: 1, maximum: 1_000, default: 50 }),
    passBatchLingerMs: Type.Integer({ minimum: 0, maximum: 10_000, default: 200 }),
    crowdSampleSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 10, description: 'one stored crowd sample per zone per interval (its peak)' }),
    crowd: Type.Object(
      {
        density: Type.Union([Type.Literal('auto'), Type.Literal('off')], { default: 'auto', description: 'auto: run the density model on cameras that have crowd zones; off: detector counts only' }),
        densityModel: Type.String({ default: 'crowd-density', pattern: '^crowd-density[A-Za-z0-9_.-]*$', description: 'models/MANIFEST.json entry of the density model (drop in a better one under another crowd-density* name)' }),
        densityLongSide: Type.Integer({ minimum: 256, maximum: 2048, default: 1024, description: 'the picture\'s long side is resized to this for the density model (768 is about twice as fast, less exact on far people)' }),
        densityEverySeconds: Type.Number({ minimum: 0.5, maximum: 600, default: 2, description: 'run the density model on at most one frame per camera this often' }),
        sparseBelow: Type.Number({ minimum: 0, maximum: 10_000, default: 15, description: 'fusion: below this density count the detector\'s count is used (the density model over-counts sparse scenes)' }),
        denseAbove: Type.Number({ minimum: 1, maximum: 10_000, default: 40, description: 'fusion: above this density count the density count is used; in between the two are blended' }),
        minPersonScore: Type.Number({ minimum: 0, maximum: 1, default: 0.45, description: 'detector score a person needs to be counted (lower scores count dogs and posters)' }),
        clearRatio: Type.Number({ minimum: 0, maximum: 1, default: 0.9, description: 'hysteresis: an alert ends when the count stays at or below this fraction of the threshold...' }),
        clearSeconds: Type.Number({ minimum: 0, maximum: 3_600, default: 10, description: '...for this many seconds' }),
      },
      { additionalProperties: false, default: {} },
    ),
    remoteFrames: Type.Boolean({ default: false, description: 'send frames (JPEG) to the analytics:frames queue for remote workers instead of local threads' }),
    remoteResultTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 30 }),
    analyzeMaxBytes: Type.Integer({ minimum: 1_024, maximum: 64 * 1024 * 1024, default: 16 * 1024 * 1024 }),
    analyzeMaxPixels: Type.Integer({ minimum: 1, maximum: 400_000_000, default: 40_000_000 }),
    ffmpegPath: Type.String({ default: 'ffmpeg' }),
    inputTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 120, default: 10, description: 'ffmpeg gives up on a silent camera after this long and is restarted' }),
    retentionDays: Type.Object(
      {
        crowdSamples: Type.Integer({ minimum: 1, default: 90, description: 'crowd-count time series' }),
        crowdAlerts: Type.Integer({ minimum: 1, default: 365, description: 'crowd alerts, counted from their end; open alerts are kept' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

export type AnalyticsConfig = Static<typeof AnalyticsConfigSchema>;
