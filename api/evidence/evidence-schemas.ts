import { Type } from '@sinclair/typebox';
import { Millis } from '../kernel/http/common-schemas.ts';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer> | ReturnType<typeof Type.Number>>(schema: T) => Type.Union([schema, Type.Null()]);

export const CreateExportBody = Type.Object({
  kind: Type.Optional(Type.Union([Type.Literal('clip'), Type.Literal('still'), Type.Literal('snapshot')], { description: 'clip (MP4, default), still (JPEG from the recording or a pass image) or snapshot (JPEG of the camera now)' })),
  cameraId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
  from: Type.Optional(Millis),
  to: Type.Optional(Millis),
  passId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  caption: Type.Optional(Type.Boolean({ description: 'burn in camera, time and operator (a clip is then re-encoded)' })),
  reason: Type.String({ maxLength: 1_000, description: 'why the evidence is exported (audited, in the manifest)' }),
}, { additionalProperties: false });

export const ExportView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  cameraId: Type.String(),
  from: Millis,
  to: Millis,
  passId: Nullable(Type.String()),
  source: Type.String(),
  caption: Type.Boolean(),
  reason: Type.String(),
  state: Type.String(),
  progress: Type.Number(),
  attempts: Type.Integer(),
  errorCode: Nullable(Type.String()),
  errorMessage: Nullable(Type.String()),
  fileName: Nullable(Type.String()),
  bytes: Nullable(Type.Integer()),
  durationMs: Nullable(Type.Integer()),
  sha256: Nullable(Type.String()),
  username: Type.String(),
  createdAt: Millis,
  finishedAt: Nullable(Type.Integer()),
});
