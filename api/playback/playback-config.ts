import { Type, type Static } from '@sinclair/typebox';

/** Playback of recordings (HLS VOD from the recording index) and evidence export. */
export const PlaybackConfigSchema = Type.Object(
  {
    maxRangeHours: Type.Integer({ minimum: 1, maximum: 24 * 7, default: 24, description: 'longest time range one playback session or timeline request may span' }),
    tokenTtlSeconds: Type.Integer({ minimum: 10, maximum: 86_400, default: 300, description: 'lifetime of a playback token (renewed by the player)' }),
    tokenGraceSeconds: Type.Integer({ minimum: 0, maximum: 30, default: 5, description: 'after a renew, the previous playback token is still taken this long' }),
    viewerIdleSeconds: Type.Integer({ minimum: 2, maximum: 3_600, default: 60, description: 'end a playback session after this long without a playlist or segment fetch' }),
    maxSessionsPerUser: Type.Integer({ minimum: 1, maximum: 256, default: 16, description: 'open playback sessions per user (synchronised playback uses up to 4)' }),
    exportMaxMinutes: Type.Integer({ minimum: 1, maximum: 24 * 60, default: 60, description: 'longest evidence clip' }),
    exportPassPaddingSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 30, description: 'a clip picked from a checkpoint pass covers the pass time ± this' }),
    exportTimeoutSeconds: Type.Integer({ minimum: 10, maximum: 86_400, default: 1_800, description: 'an export ffmpeg run is stopped after this long' }),
    exportMaxAttempts: Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'an export job interrupted (hub restart) or failed transiently is run again up to this many times' }),
    exportRetentionDays: Type.Integer({ minimum: 1, maximum: 3_650, default: 90, description: 'finished or failed exports (files and rows) are deleted after this many days' }),
    captionFont: Type.String({ default: '', description: 'font file for burned-in captions; empty = the first CJK font fontconfig knows (fc-list :lang=zh, fonts-noto-cjk)' }),
  },
  { additionalProperties: false, default: {} },
);

export type PlaybackConfig = Static<typeof PlaybackConfigSchema>;
