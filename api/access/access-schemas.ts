import { Type, type TSchema } from '@sinclair/typebox';
import { Millis } from '../kernel/http/common-schemas.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const EntityId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
export const ScopeSchema = Type.Union(['live', 'snapshot', 'ptz', 'events', 'playback'].map((s) => Type.Literal(s)));
export const CategorySchema = Type.Union(['public_security', 'traffic', 'community', 'other'].map((c) => Type.Literal(c)));
export const TargetKindSchema = Type.Union(['cameras', 'category', 'area'].map((k) => Type.Literal(k)));
export const AreaSchema = Type.Object({
  minLat: Type.Number({ minimum: -90, maximum: 90 }), minLon: Type.Number({ minimum: -180, maximum: 180 }),
  maxLat: Type.Number({ minimum: -90, maximum: 90 }), maxLon: Type.Number({ minimum: -180, maximum: 180 }),
}, { additionalProperties: false });
export const PlaybackLookbackSchema = Type.Union(['none', 'window', 'days'].map((k) => Type.Literal(k)));
const CameraIds = Type.Array(EntityId, { minItems: 1, maxItems: 1_000, uniqueItems: true });
const Scopes = Type.Array(ScopeSchema, { minItems: 1, maxItems: 5, uniqueItems: true });
const Reason = Type.String({ minLength: 1, maxLength: 1_000 });

/** What a request or emergency grant covers: camera ids, a category, or an area of the owner's cameras. */
const TargetFields = {
  ownerDepartmentId: EntityId,
  targetKind: TargetKindSchema,
  cameraIds: Type.Optional(CameraIds),
  category: Type.Optional(CategorySchema),
  area: Type.Optional(AreaSchema),
  scopes: Scopes,
  /** With scope playback: how far back (none = whatever is recorded, window = only the grant's own window, days = the last playbackDays days). */
  playbackLookback: Type.Optional(PlaybackLookbackSchema),
  playbackDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
};

export const CreateRequestBody = Type.Object({
  ...TargetFields,
  purpose: Type.String({ minLength: 3, maxLength: 1_000 }),
  legalBasis: Type.String({ minLength: 3, maxLength: 1_000 }),
  /** Defaults to now. */
  startsAt: Type.Optional(Millis),
  endsAt: Millis,
}, { additionalProperties: false });

/** Approval may only narrow: fewer cameras, fewer scopes, a shorter window. */
export const ApproveBody = Type.Object({
  cameraIds: Type.Optional(CameraIds),
  scopes: Type.Optional(Scopes),
  playbackLookback: Type.Optional(PlaybackLookbackSchema),
  playbackDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
  startsAt: Type.Optional(Millis),
  endsAt: Type.Optional(Millis),
  reason: Type.Optional(Reason),
}, { additionalProperties: false });

export const ReasonBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1_000 })) }, { additionalProperties: false });

export const EmergencyBody = Type.Object({
  ...TargetFields,
  minutes: Type.Integer({ minimum: 1, maximum: 100_000 }),
  reason: Type.Optional(Type.String({ maxLength: 1_000 })),
}, { additionalProperties: false });

export const ReviewBody = Type.Object({
  outcome: Type.Union([Type.Literal('upheld'), Type.Literal('revoke')]),
  note: Type.Optional(Type.String({ maxLength: 1_000 })),
}, { additionalProperties: false });

const TargetView = {
  ownerDepartmentId: Type.String(),
  targetKind: Type.String(),
  cameraIds: Nullable(Type.Array(Type.String())),
  category: Nullable(Type.String()),
  area: Nullable(AreaSchema),
  scopes: Type.Array(Type.String()),
  playbackLookback: Nullable(Type.String()),
  playbackDays: Nullable(Type.Integer()),
  startsAt: Type.Integer(),
  endsAt: Type.Integer(),
};

export const RequestView = Type.Object({
  id: Type.String(),
  requesterUserId: Type.String(),
  requesterDepartmentId: Type.String(),
  ...TargetView,
  purpose: Type.String(),
  legalBasis: Type.String(),
  status: Type.String(),
  decidedBy: Nullable(Type.String()),
  decidedAt: Nullable(Type.Integer()),
  decisionReason: Nullable(Type.String()),
  createdAt: Type.Integer(),
  /** The grant an approval created. */
  grantId: Nullable(Type.String()),
});

export const GrantView = Type.Object({
  id: Type.String(),
  requestId: Nullable(Type.String()),
  granteeDepartmentId: Type.String(),
  ...TargetView,
  state: Type.Union(['scheduled', 'active', 'ended', 'revoked'].map((s) => Type.Literal(s))),
  revokedAt: Nullable(Type.Integer()),
  revokedBy: Nullable(Type.String()),
  revokeReason: Nullable(Type.String()),
  emergency: Type.Boolean(),
  emergencyReason: Nullable(Type.String()),
  reviewedAt: Nullable(Type.Integer()),
  createdBy: Type.String(),
  createdAt: Type.Integer(),
});

export const NotificationView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  message: Type.String(),
  requestId: Nullable(Type.String()),
  grantId: Nullable(Type.String()),
  createdAt: Type.Integer(),
  readAt: Nullable(Type.Integer()),
});

export const DecisionView = Type.Object({
  allowed: Type.Boolean(),
  reason: Type.String(),
  grantId: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Type.Integer()),
  playbackFrom: Type.Optional(Type.Integer()),
  playbackTo: Type.Optional(Type.Integer()),
});
