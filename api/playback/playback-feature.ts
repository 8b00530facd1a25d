import { join } from 'node:path';
import '../kernel/cluster/cluster-events.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { ProvidingFeature } from '../kernel/hub-feature.ts';
import { RecordingIndex } from '../../recording/recording-index.ts';
import { registerPlaybackRoutes } from './playback-routes.ts';
import { PlaybackSessions } from './playback-sessions.ts';
import type { PlaybackStopReason } from './playback-session.ts';
import { registerVodMediaRoutes } from './vod-media-routes.ts';

/**
 * Playback of recordings: timeline, VOD sessions under the live play rules (signed, bound, revocable,
 * audited with a reason). Reads the recording index (recording/recording-index.ts, the table owner) and the
 * files under <dataDir>/recordings; needs no running recorder, so it plays what is on disk.
 */
export function createPlaybackFeature(ctx: HubContext): ProvidingFeature<PlaybackSessions> {
  const index = new RecordingIndex(ctx.db);
  const sessions = new PlaybackSessions({ grants: ctx.grants, audit: ctx.audit, tokens: ctx.tokens, config: ctx.config.playback, log: ctx.log });
  const guard = (work: Promise<unknown>) => {
    work.catch((error: Error) => ctx.log.error({ err: error }, 'playback: ending sessions failed'));
  };
  const onGrantEnded = (reason: PlaybackStopReason) => ({ grantId }: { grantId: string }) => guard(sessions.endForGrant(grantId, reason));
  // Grant ends announced while this node was cut from the other nodes' events: the database has them.
  const onResync = () => sessions.recheckGrantsSoon();
  const onRevoked = onGrantEnded('grant_revoked');
  const onExpired = onGrantEnded('grant_expired');
  const onCameraChanged = ({ cameraId, change }: { cameraId: string; change: string }) => {
    if (change === 'deleted') guard(sessions.endForCamera(cameraId, 'camera_removed'));
  };
  return {
    name: 'playback',
    provides: sessions,
    registerRoutes: (app) => registerPlaybackRoutes(app, ctx, index, sessions),
    registerRootRoutes: (app) => registerVodMediaRoutes(app, { recordingsRoot: join(ctx.dataDir, 'recordings'), index, sessions, log: ctx.log }),
    start: async () => {
      sessions.start();
      ctx.events.on('grant.revoked', onRevoked);
      ctx.events.on('grant.expired', onExpired);
      ctx.events.on('camera.changed', onCameraChanged);
      ctx.events.on('cluster.resync', onResync);
    },
    stop: async () => {
      ctx.events.off('grant.revoked', onRevoked);
      ctx.events.off('grant.expired', onExpired);
      ctx.events.off('camera.changed', onCameraChanged);
      ctx.events.off('cluster.resync', onResync);
      await sessions.stopAll('hub_stop');
    },
  };
}
