import { Type, type TSchema } from '@sinclair/typebox';

export const ErrorResponse = Type.Object({ code: Type.String(), message: Type.String() }, { $id: undefined });

/** Standard error responses to merge into a route's response schema. */
export const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  429: ErrorResponse,
  503: ErrorResponse,
};

/** A route's response map: the success schemas plus the standard errors. */
export function responses(success: Record<number, TSchema>): Record<number, TSchema> {
  return { ...errorResponses, ...success };
}

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });

export const OkResponse = Type.Object({ ok: Type.Boolean() });

/** Epoch milliseconds. */
export const Millis = Type.Integer({ minimum: 0 });
