import { Type, type Static } from '@sinclair/typebox';

/** Settings of the relay: on-demand HLS through ffmpeg and low-latency FLV through node-media-server. */
export const RelayConfigSchema = Type.Object(
  {
    idleStopSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 30, description: 'stop a pull after this long with no lease (viewers, analytics and stills all hold leases)' }),
    hlsSegmentSeconds: Type.Number({ minimum: 0.5, maximum: 10, default: 1 }),
    hlsListSize: Type.Integer({ minimum: 2, maximum: 60, default: 6 }),
    stallSeconds: Type.Integer({ minimum: 2, maximum: 600, default: 10, description: 'restart ffmpeg when no new segment arrives for this long' }),
    playTokenTtlSeconds: Type.Integer({ minimum: 10, maximum: 86_400, default: 300 }),
    playTokenGraceSeconds: Type.Integer({
      minimum: 0, maximum: 30, default: 5, description: 'after a renew, the previous play token is still taken this long (HLS fetches already on their way)',
    }),
    ffmpegPath: Type.String({ default: 'ffmpeg' }),
    viewerIdleSeconds: Type.Integer({ minimum: 2, maximum: 3_600, default: 20, description: 'end a play session after this long without a playlist/segment fetch or an open FLV connection' }),
    inputTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 120, default: 5, description: 'ffmpeg socket timeout on the camera connection' }),
    startTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 120, default: 12, description: 'how long a playlist request or a lease waits for a starting stream' }),
    restartInitialMs: Type.Integer({ minimum: 50, maximum: 60_000, default: 500 }),
    restartMaxMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
    transcode: Type.Union([Type.Literal('auto'), Type.Literal('always'), Type.Literal('never')], {
      default: 'auto', description: 'auto: -c copy for H.264, re-encode other codecs to H.264',
    }),
    maxStreams: Type.Integer({ minimum: 1, maximum: 2_000, default: 200, description: 'camera pulls running at once' }),
    maxSessionsPerUser: Type.Integer({ minimum: 1, maximum: 1_000, default: 64, description: 'open play sessions per user (a 16-tile wall needs 16)' }),
  },
  { additionalProperties: false, default: {} },
);

export type RelayConfig = Static<typeof RelayConfigSchema>;
