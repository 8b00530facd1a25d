import { Type } from '@sinclair/typebox';

/** Settings of the relay: on-demand HLS through ffmpeg and low-latency FLV through node-media-server. */
export const RelayConfigSchema = Type.Object(
  {
    idleStopSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 30, description: 'stop a stream after this long without viewers' }),
    hlsSegmentSeconds: Type.Number({ minimum: 0.5, maximum: 10, default: 1 }),
    hlsListSize: Type.Integer({ minimum: 2, maximum: 60, default: 6 }),
    stallSeconds: Type.Integer({ minimum: 2, maximum: 600, default: 10, description: 'restart ffmpeg when no new segment arrives for this long' }),
    playTokenTtlSeconds: Type.Integer({ minimum: 10, maximum: 86_400, default: 300 }),
    ffmpegPath: Type.String({ default: 'ffmpeg' }),
  },
  { additionalProperties: false, default: {} },
);
