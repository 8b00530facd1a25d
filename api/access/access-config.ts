import { Type } from '@sinclair/typebox';

/** Settings of the permission workflow and its notifications. */
export const AccessConfigSchema = Type.Object(
  {
    emergencyMaxMinutes: Type.Integer({ minimum: 5, maximum: 1_440, default: 240 }),
    maxGrantDays: Type.Integer({ minimum: 1, maximum: 3_650, default: 365 }),
    expirySweepSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 5 }),
    sseHeartbeatSeconds: Type.Integer({ minimum: 1, maximum: 300, default: 20, description: 'comment line on idle notification streams so proxies keep them open' }),
    retentionDays: Type.Object(
      { notifications: Type.Integer({ minimum: 1, default: 180, description: 'in-hub user notifications, read or not' }) },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
