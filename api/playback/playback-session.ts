import { ViewingSession, type ViewingSessionInit, type ViewingStopReason } from '../viewing/viewing-session.ts';

export type PlaybackStopReason = ViewingStopReason;

export interface PlaybackSessionInit extends ViewingSessionInit {
  /** The recorded time range the session plays, [from, to). */
  from: number;
  to: number;
  /** Wall-clock start of the first segment the playlist begins with (at or before `from`). */
  firstSegmentAt: number;
  /** Frames per second of the recording (from its first segment's time stamps), null when unknown. */
  frameRate: number | null;
  reason: string;
}

/** One viewer playing one camera's recordings over a time range: besides what every viewing session has, the range and the viewer's reason. */
export class PlaybackSession extends ViewingSession {
  readonly from: number;
  readonly to: number;
  readonly firstSegmentAt: number;
  readonly frameRate: number | null;
  readonly reason: string;

  constructor(init: PlaybackSessionInit) {
    super(init);
    this.from = init.from;
    this.to = init.to;
    this.firstSegmentAt = init.firstSegmentAt;
    this.frameRate = init.frameRate;
    this.reason = init.reason;
  }
}
