import { Type } from '@sinclair/typebox';

/** Settings of the sharing dashboard and its Prometheus endpoint. */
export const DashboardConfigSchema = Type.Object(
  {
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
