import { Type } from '@sinclair/typebox';

/** Settings of the permission workflow, the audit trail queries and the sharing dashboard. */
export const AccessConfigSchema = Type.Object(
  {
    emergencyMaxMinutes: Type.Integer({ minimum: 5, maximum: 1_440, default: 240 }),
    maxGrantDays: Type.Integer({ minimum: 1, maximum: 3_650, default: 365 }),
    expirySweepSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 5 }),
    sseHeartbeatSeconds: Type.Integer({ minimum: 1, maximum: 300, default: 20, description: 'comment line on idle notification streams so proxies keep them open' }),
    metricsToken: Type.Union([Type.Literal(''), Type.String({ minLength: 32, maxLength: 256 })], {
      default: '',
      description: 'bearer token Prometheus sends to /metrics (at least 32 characters); empty = only admin or auditor access tokens',
    }),
    communityCamerasPlanned: Type.Integer({
      minimum: 0, maximum: 10_000_000, default: 0,
      description: 'community cameras the city plan counts; 0 = the community cameras registered in the hub',
    }),
  },
  { additionalProperties: false, default: {} },
);
