import { join } from 'node:path';
import type { HubContext } from '../hub/hub-context.ts';
import type { ProvidingFeature } from '../kernel/hub-feature.ts';
import { SessionEnds } from '../viewing/session-ends.ts';
import { CameraEventReader } from '../checkpoint/camera-event-reader.ts';
import { CrowdStore } from '../../analytics/crowd/crowd-store.ts';
import { RecordingIndex } from '../../recording/recording-index.ts';
import { registerPlaybackRoutes } from './playback-routes.ts';
import { PlaybackSessions } from './playback-sessions.ts';
import { registerVodMediaRoutes } from './vod-media-routes.ts';

/**
 * Playback of recordings: timeline, VOD sessions under the live play rules (signed, bound, revocable,
 * audited with a reason). Reads the recording index (recording/recording-index.ts, the table owner) and the
 * files under <dataDir>/recordings; needs no running recorder, so it plays what is on disk.
 */
export function createPlaybackFeature(ctx: HubContext): ProvidingFeature<PlaybackSessions> {
  const index = new RecordingIndex(ctx.db);
  const sessions = new PlaybackSessions({ grants: ctx.grants, audit: ctx.audit, tokens: ctx.tokens, config: ctx.config.playback, log: ctx.log });
  const ends = new SessionEnds('playback', sessions, ctx.events, ctx.log);
  return {
    name: 'playback',
    provides: sessions,
    registerRoutes: (app) => registerPlaybackRoutes(app, ctx, {
      index, sessions, recordingsRoot: join(ctx.dataDir, 'recordings'),
      // Passes, alerts and crowd alerts through the readers of the features that own those tables.
      events: { checkpoint: new CameraEventReader(ctx.db), crowd: new CrowdStore(ctx.db) },
    }),
    registerRootRoutes: (app) => registerVodMediaRoutes(app, { recordingsRoot: join(ctx.dataDir, 'recordings'), index, sessions, log: ctx.log }),
    start: async () => {
      sessions.start();
      ends.follow();
    },
    stop: async () => {
      ends.unfollow();
      await sessions.stopAll('hub_stop');
    },
  };
}
