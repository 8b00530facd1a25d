import { Type } from '@sinclair/typebox';

/**
 * Settings of the checkpoint (卡口) database: retention, cloned-plate analysis, alert delivery. Its retention
 * job is the hub's one, so `retentionDays` also covers the other features' growing series (crowd, camera status,
 * notifications).
 */
export const CheckpointConfigSchema = Type.Object(
  {
    retentionDays: Type.Object(
      {
        passes: Type.Integer({ minimum: 1, default: 365 }),
        images: Type.Integer({ minimum: 1, default: 90 }),
        alerts: Type.Integer({ minimum: 1, default: 730 }),
        findings: Type.Integer({ minimum: 1, default: 730, description: 'cloned-plate findings (they carry copies of both passes)' }),
        deliveries: Type.Integer({ minimum: 1, default: 7, description: 'finished webhook deliveries' }),
        crowdSamples: Type.Integer({ minimum: 1, default: 90, description: 'crowd-count time series (analytics)' }),
        crowdAlerts: Type.Integer({ minimum: 1, default: 365, description: 'crowd alerts, counted from their end; open alerts are kept' }),
        cameraStatusChanges: Type.Integer({ minimum: 1, default: 90, description: 'camera online/offline history (ingest health)' }),
        notifications: Type.Integer({ minimum: 1, default: 180, description: 'in-hub user notifications, read or not' }),
        // No audit entry on purpose: the audit trail is append-only and hash-chained; the PostgreSQL role cannot delete it.
      },
      { additionalProperties: false, default: {} },
    ),
    retentionIntervalMinutes: Type.Integer({ minimum: 1, maximum: 1_440, default: 60, description: 'how often the retention job runs' }),
    maxSpeedKmh: Type.Number({ minimum: 1, maximum: 1_000, default: 180, description: 'faster than this between two passes = cloned plate' }),
    minDistanceKm: Type.Number({ minimum: 0, maximum: 100, default: 1, description: 'cameras closer than this are never compared for speed (GPS noise)' }),
    colourWindowHours: Type.Integer({ minimum: 1, maximum: 8_760, default: 72, description: 'two plate colours within this window = cloned plate' }),
    minPlateConfidence: Type.Number({ minimum: 0, maximum: 1, default: 0.8, description: 'passes read with less confidence are not used as cloned-plate evidence' }),
    webhookSecret: Type.String({ default: '', description: 'HMAC key for alert webhooks; empty = derived from the token secret' }),
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
