import { Type } from '@sinclair/typebox';
import { PLATE_COLOURS } from '../../analytics/vocabulary/plate-vocabulary.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Millis = Type.Integer({ minimum: 0 });

export const PassIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9:_.-]+$' }) });
export const UuidParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });
export const PlateColourSchema = Type.Union(PLATE_COLOURS.map((c) => Type.Literal(c)));

export const PassRecordSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9:_.-]+$' }),
  cameraId: Type.String({ minLength: 1, maxLength: 64 }),
  passedAt: Millis,
  plate: Type.String({ minLength: 2, maxLength: 16 }),
  plateColour: PlateColourSchema,
  plateConfidence: Type.Number({ minimum: 0, maximum: 1 }),
  charConfidences: Type.Array(Type.Number({ minimum: 0, maximum: 1 }), { maxItems: 16 }),
  vehicleClass: Type.Optional(Type.String({ maxLength: 32 })),
  vehicleColour: Type.Optional(Type.String({ maxLength: 32 })),
  lane: Type.Optional(Type.Integer({ minimum: 0, maximum: 99 })),
  direction: Type.Optional(Type.String({ maxLength: 32 })),
  boxes: Type.Optional(Type.Unknown()),
  cropImagePath: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  sceneImagePath: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
}, { additionalProperties: false });

export const PassView = Type.Object({
  id: Type.String(), cameraId: Type.String(), passedAt: Type.Number(), plate: Type.String(), plateColour: Type.String(),
  plateConfidence: Type.Number(), charConfidences: Type.Array(Type.Number()),
  vehicleClass: Nullable(Type.String()), vehicleColour: Nullable(Type.String()), lane: Nullable(Type.Integer()), direction: Nullable(Type.String()),
  boxes: Type.Unknown(), hasCrop: Type.Boolean(), hasScene: Type.Boolean(),
  matchDistance: Type.Optional(Type.Integer({ description: 'fuzzy search: 0 = equal after folding OCR confusions, 1 = one edit more' })),
});

export const PassSearchQuery = Type.Object({
  plate: Type.Optional(Type.String({ minLength: 2, maxLength: 16 })),
  platePattern: Type.Optional(Type.String({ minLength: 1, maxLength: 16, description: '* = any run, ? = one character' })),
  fuzzyPlate: Type.Optional(Type.String({ minLength: 2, maxLength: 16 })),
  fuzzyDistance: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  from: Type.Optional(Millis),
  to: Type.Optional(Millis),
  cameraId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  departmentId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  plateColour: Type.Optional(PlateColourSchema),
  vehicleColour: Type.Optional(Type.String({ maxLength: 32 })),
  cursor: Type.Optional(Type.String({ maxLength: 400 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, default: 50 })),
}, { additionalProperties: false });

export const AlertView = Type.Object({
  id: Type.String(), watchlistId: Type.String(), ownerDepartmentId: Type.String(), reason: Type.String(), passId: Type.String(), plate: Type.String(),
  cameraId: Type.String(), passedAt: Type.Number(), raisedAt: Type.Number(),
  acknowledgedAt: Nullable(Type.Number()), acknowledgedBy: Nullable(Type.String()), ackNote: Nullable(Type.String()),
});

export const WatchlistView = Type.Object({
  id: Type.String(), plate: Type.String(), matchKind: Type.String(), reason: Type.String(), ownerUserId: Type.String(),
  ownerDepartmentId: Type.String(), validFrom: Type.Number(), validUntil: Type.Number(), createdAt: Type.Number(),
  removedAt: Nullable(Type.Number()),
});

export const FindingView = Type.Object({
  id: Type.String(), kind: Type.String(), plate: Type.String(), passAId: Type.String(), passBId: Type.String(),
  evidence: Type.Object({ a: PassView, b: PassView }), distanceKm: Nullable(Type.Number()), speedKmh: Nullable(Type.Number()), detectedAt: Type.Number(),
});

export const SubscriptionView = Type.Object({
  id: Type.String(), subscriber: Type.String(), organisation: Type.String(), reason: Type.String(), receiverUrl: Type.String(),
  cameraIds: Nullable(Type.Array(Type.String())), beginAt: Type.Number(), endAt: Type.Number(), createdBy: Type.String(),
  createdAt: Type.Number(), cancelledAt: Nullable(Type.Number()),
  peerId: Nullable(Type.String({ description: 'the GA/T 1400 platform that subscribed (POST /VIID/Subscribes); null = made by an admin' })),
  title: Nullable(Type.String()), detail: Type.String({ description: 'SubscribeDetail (13 = motor vehicles)' }),
  resourceUri: Nullable(Type.String()), reportInterval: Nullable(Type.Integer()),
});
