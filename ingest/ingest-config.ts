import { Type } from '@sinclair/typebox';

/** Settings of camera ingest: discovery, ONVIF requests, health checks and their history. */
export const IngestConfigSchema = Type.Object(
  {
    discoveryTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 3_000 }),
    discovery: Type.Object(
      {
        allowedNetworks: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
          maxItems: 64, default: ['127.0.0.0/8', '::1/128'],
          description: 'camera networks (addresses/CIDRs) unicast discovery may probe; list your camera subnets (env: comma list, e.g. 10.20.0.0/16,10.21.0.0/16)',
        }),
        maxTargets: Type.Integer({ minimum: 1, maximum: 4_096, default: 256, description: 'unicast addresses one scan may probe' }),
        scansPerUserPerMinute: Type.Integer({ minimum: 1, maximum: 600, default: 10 }),
        scansPerMinute: Type.Integer({ minimum: 1, maximum: 600, default: 30, description: 'scans the whole hub starts per minute (one runs at a time)' }),
      },
      { additionalProperties: false, default: {} },
    ),
    snapshot: Type.Object(
      {
        maxConcurrentGrabs: Type.Integer({ minimum: 1, maximum: 64, default: 4, description: 'camera stills (ffmpeg frame grabs or snapshot-URI fetches) the whole hub takes at once; more answer 429 SNAPSHOT_BUSY' }),
        maxConcurrentPerUser: Type.Integer({ minimum: 1, maximum: 64, default: 2, description: 'camera stills one user has being taken at once; more answer 429 SNAPSHOT_BUSY' }),
        frameCacheMs: Type.Integer({ minimum: 0, maximum: 10_000, default: 1_000, description: 'how long the last still of a camera serves further requests (any width) before a new grab' }),
        thumbnailTtlSeconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 300, description: 'how long a catalogue thumbnail (<dataDir>/thumbnails) is shown before a new still is taken' }),
        thumbnailFailureSeconds: Type.Integer({ minimum: 0, maximum: 3_600, default: 60, description: 'how long a failed thumbnail grab is remembered before the camera is tried again' }),
      },
      { additionalProperties: false, default: {} },
    ),
    requestTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5_000, description: 'total deadline of one ONVIF/HTTP/RTSP request' }),
    maxResponseBytes: Type.Integer({ minimum: 1_024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
    healthIntervalMs: Type.Integer({ minimum: 200, maximum: 3_600_000, default: 15_000 }),
    reconnectInitialMs: Type.Integer({ minimum: 50, default: 1_000 }),
    reconnectMaxMs: Type.Integer({ minimum: 100, default: 60_000 }),
    retentionDays: Type.Object(
      { cameraStatusChanges: Type.Integer({ minimum: 1, default: 90, description: 'camera online/offline history' }) },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
