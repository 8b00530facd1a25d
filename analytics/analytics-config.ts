import { Type } from '@sinclair/typebox';

/** Settings of the analytics pipeline. */
export const AnalyticsConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    sampleFps: Type.Number({ minimum: 0.1, maximum: 25, default: 2 }),
    workers: Type.Integer({ minimum: 0, maximum: 64, default: 2, description: 'local inference worker threads (0 = none, remote workers only)' }),
    queueDepthPerCamera: Type.Integer({ minimum: 1, maximum: 1_000, default: 4 }),
  },
  { additionalProperties: false, default: {} },
);
