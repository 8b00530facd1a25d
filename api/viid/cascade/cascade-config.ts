import { Type } from '@sinclair/typebox';

/**
 * Cascade upward (GA/T 1400): this hub registers to a higher 视图库 as a lower-level platform, keeps alive,
 * serves that platform's subscriptions and, optionally, pushes every new pass upward as POST /VIID/MotorVehicles.
 * Empty `url` = no upstream. Our own ID is `viid.serverId`.
 */
export const CascadeConfigSchema = Type.Object(
  {
    url: Type.String({ default: '', description: 'base URL of the upstream 视图库 (http(s)://host:port, without /VIID); empty = no cascade' }),
    upstreamId: Type.String({ pattern: '^([0-9]{20})?$', default: '', description: 'the upstream 视图库\'s 20-digit ID: it may subscribe to us (User-Identify) while we are registered' }),
    username: Type.String({ maxLength: 64, default: '', description: 'digest username at the upstream; empty = our viid.serverId' }),
    password: Type.String({ maxLength: 256, default: '', description: 'digest password at the upstream' }),
    keepaliveSeconds: Type.Integer({ minimum: 5, maximum: 3_600, default: 30 }),
    requestTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5_000 }),
    retryInitialMs: Type.Integer({ minimum: 10, maximum: 600_000, default: 2_000, description: 'first re-register delay after a failure (doubles, with jitter)' }),
    retryMaxMs: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 120_000 }),
    pushMotorVehicles: Type.Boolean({ default: false, description: 'also push every new pass upward as POST /VIID/MotorVehicles, as a device would' }),
    departmentId: Type.String({ maxLength: 64, default: '', description: 'whose visibility applies to what the upstream receives (subscriptions and pushes); empty = every camera' }),
  },
  { additionalProperties: false, default: {} },
);
