import { Type } from '@sinclair/typebox';

/** Settings of the checkpoint (卡口) database: retention of its own tables, cloned-plate analysis, alert delivery. */
export const CheckpointConfigSchema = Type.Object(
  {
    retentionDays: Type.Object(
      {
        passes: Type.Integer({ minimum: 1, default: 365 }),
        images: Type.Integer({ minimum: 1, default: 90 }),
        alerts: Type.Integer({ minimum: 1, default: 730 }),
        findings: Type.Integer({ minimum: 1, default: 730, description: 'cloned-plate findings (they carry copies of both passes)' }),
        deliveries: Type.Integer({ minimum: 1, default: 7, description: 'finished webhook deliveries' }),
      },
      { additionalProperties: false, default: {} },
    ),
    partitions: Type.Object(
      {
        aheadDays: Type.Integer({ minimum: 1, maximum: 90, default: 7, description: 'PostgreSQL: day partitions of passes created this many days ahead' }),
        checkMinutes: Type.Integer({ minimum: 1, maximum: 1_440, default: 60, description: 'PostgreSQL: how often partitions are created ahead and stray days adopted' }),
      },
      { additionalProperties: false, default: {} },
    ),
    maxSpeedKmh: Type.Number({ minimum: 1, maximum: 1_000, default: 180, description: 'faster than this between two passes = cloned plate' }),
    minDistanceKm: Type.Number({ minimum: 0, maximum: 100, default: 1, description: 'cameras closer than this are never compared for speed (GPS noise)' }),
    colourWindowHours: Type.Integer({ minimum: 1, maximum: 8_760, default: 72, description: 'two plate colours within this window = cloned plate' }),
    minPlateConfidence: Type.Number({ minimum: 0, maximum: 1, default: 0.8, description: 'passes read with less confidence are not used as cloned-plate evidence' }),
    webhookSecret: Type.String({ default: '', description: 'HMAC key for alert webhooks; empty = derived from the token secret' }),
    imageUrlTtlSeconds: Type.Integer({ minimum: 60, maximum: 30 * 86_400, default: 7 * 86_400, description: 'lifetime of the signed image URLs in GA/T 1400 notifications and upward pushes (receivers fetch them without our login)' }),
    alertWebhookUrl: Type.String({ default: '', description: 'http(s) URL that receives every watchlist alert; empty = none' }),
    delivery: Type.Object(
      {
        pollMs: Type.Integer({ minimum: 10, maximum: 60_000, default: 500 }),
        timeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5_000 }),
        initialDelayMs: Type.Integer({ minimum: 10, maximum: 600_000, default: 1_000 }),
        maxDelayMs: Type.Integer({ minimum: 10, maximum: 86_400_000, default: 300_000 }),
        maxAttempts: Type.Integer({ minimum: 1, maximum: 1_000, default: 20 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
