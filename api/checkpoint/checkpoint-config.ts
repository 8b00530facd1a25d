import { Type } from '@sinclair/typebox';

/** Settings of the checkpoint (卡口) database: retention, cloned-plate analysis, alert delivery. */
export const CheckpointConfigSchema = Type.Object(
  {
    retentionDays: Type.Object(
      {
        passes: Type.Integer({ minimum: 1, default: 365 }),
        images: Type.Integer({ minimum: 1, default: 90 }),
        alerts: Type.Integer({ minimum: 1, default: 730 }),
      },
      { additionalProperties: false, default: {} },
    ),
    maxSpeedKmh: Type.Number({ minimum: 1, maximum: 1_000, default: 180, description: 'faster than this between two passes = cloned plate' }),
    webhookSecret: Type.String({ default: '', description: 'HMAC key for alert webhooks; empty = derived from the token secret' }),
  },
  { additionalProperties: false, default: {} },
);
