import { Type } from '@sinclair/typebox';

/** Settings of the permission workflow. */
export const AccessConfigSchema = Type.Object(
  {
    emergencyMaxMinutes: Type.Integer({ minimum: 5, maximum: 1_440, default: 240 }),
    maxGrantDays: Type.Integer({ minimum: 1, maximum: 3_650, default: 365 }),
    expirySweepSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 5 }),
  },
  { additionalProperties: false, default: {} },
);
