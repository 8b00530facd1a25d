import { Type } from '@sinclair/typebox';
import { Millis } from '../kernel/http/common-schemas.ts';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(schema: T) => Type.Union([schema, Type.Null()]);

export const RangeQuery = Type.Object({ from: Millis, to: Millis }, { additionalProperties: false });

export const Reason = Type.String({ maxLength: 1_000, description: 'why you look (audited); at least 3 characters' });

export const OpenPlaybackBody = Type.Object({
  from: Millis,
  to: Millis,
  reason: Reason,
}, { additionalProperties: false });

export const PlaybackTicketView = Type.Object({
  sessionId: Type.String(),
  cameraId: Type.String(),
  from: Millis,
  to: Millis,
  /** Wall-clock start of the first segment played (at or before `from`). */
  firstSegmentAt: Millis,
  /** Frames per second of the recording (its time stamps), for the player's frame step; null when unknown. */
  frameRate: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()]),
  playlistUrl: Type.String({ description: 'HLS VOD playlist (EXT-X-PROGRAM-DATE-TIME per segment), signed; needs the session cookie' }),
  expiresAt: Millis,
  grantId: Nullable(Type.String()),
});

export const TimelineView = Type.Object({
  cameraId: Type.String(),
  from: Millis,
  to: Millis,
  spans: Type.Array(Type.Object({ from: Millis, to: Millis })),
  /** An `ongoing` gap is a drop still going on: its `to` is now (or the range's end). */
  gaps: Type.Array(Type.Object({ from: Millis, to: Millis, reason: Type.String(), ongoing: Type.Boolean() })),
  events: Type.Array(Type.Object({
    kind: Type.String(), id: Type.String(), at: Millis, label: Type.String(), passId: Nullable(Type.String()),
  })),
  /** False when the viewer may play recordings but not see the camera's events (no `events` scope). */
  eventsShown: Type.Boolean(),
});

export const CoverageBody = Type.Object({
  items: Type.Array(Type.Object({ cameraId: Type.String({ minLength: 1, maxLength: 64 }), at: Millis }, { additionalProperties: false }), { maxItems: 200 }),
}, { additionalProperties: false });

/** Per item: may the caller play the camera back at that time and is there a recording then. */
export const CoverageView = Type.Object({ recorded: Type.Array(Type.Boolean()) });
