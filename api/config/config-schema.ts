import { Type, type Static } from '@sinclair/typebox';
import { AnalyticsConfigSchema } from '../../analytics/analytics-config.ts';
import { IngestConfigSchema } from '../../ingest/ingest-config.ts';
import { RelayConfigSchema } from '../../ingest/relay-config.ts';
import { AccessConfigSchema } from '../access/access-config.ts';
import { CheckpointConfigSchema } from '../checkpoint/checkpoint-config.ts';
import { DashboardConfigSchema } from '../dashboard/dashboard-config.ts';

const section = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false, default: {} });

/**
 * The hub's whole configuration. Every leaf has a default or is required; unknown keys are rejected.
 * Each leaf can be set by an environment variable named after its path: `http.port` → `HUB_HTTP_PORT`,
 * `auth.tokenSecret` → `HUB_AUTH_TOKEN_SECRET`.
 */
export const HubConfigSchema = Type.Object(
  {
    dataDir: Type.String({ default: './data', description: 'folder for the SQLite file, private Redis, HLS segments and images' }),
    http: section({
      host: Type.String({ default: '127.0.0.1' }),
      port: Type.Integer({ minimum: 0, maximum: 65_535, default: 8080 }),
      publicUrl: Type.String({ default: '', description: 'URL users reach the hub at; derived from host and port when empty' }),
      bodyLimitBytes: Type.Integer({ minimum: 1_024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
      trustProxy: Type.Union([Type.Literal(false), Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 })], {
        default: false,
        description: 'reverse proxies whose X-Forwarded-For is believed: false, or addresses/CIDRs (env: comma list, e.g. 127.0.0.1,10.0.0.0/8)',
      }),
      requestTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 30, description: 'a whole request, body included, must arrive within this; slower clients get 408' }),
      headersTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 300, default: 10, description: 'request headers must arrive within this (at most requestTimeoutSeconds)' }),
      keepAliveTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 10, description: 'an idle keep-alive connection is closed after this' }),
      connectionTimeoutSeconds: Type.Integer({ minimum: 0, maximum: 3_600, default: 60, description: 'a socket with no bytes either way is closed after this; 0 = never (event-stream heartbeats must be shorter)' }),
      outboundAllowedNetworks: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
        maxItems: 64, default: [],
        description: 'networks (addresses/CIDRs) outbound fetches and pushes may reach although internal: camera snapshot URIs, webhook and subscription receivers (env: comma list, e.g. 10.20.0.0/16). Loopback, link-local and private addresses are refused otherwise; multicast and unspecified always',
      }),
      rateLimitPerMinute: Type.Integer({ minimum: 10, maximum: 1_000_000, default: 3_000, description: 'API requests per minute per user (per source address before login); media URLs are exempt; the next is 429 RATE_LIMITED' }),
      maxEventStreamsPerUser: Type.Integer({ minimum: 1, maximum: 1_000, default: 8, description: 'open Server-Sent Event streams one user may hold; the next is 429 TOO_MANY_EVENT_STREAMS' }),
      allowedHosts: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 32, default: [], description: 'with publicUrl set, further host[:port] names requests may use (e.g. an internal health-check name); env: comma list' }),
      maxConnectionsPerIp: Type.Integer({ minimum: 1, maximum: 100_000, default: 512, description: 'open connections one client address may hold (trusted proxies exempt); the next is refused with 429' }),
    }),
    database: section({
      url: Type.String({ default: '', description: 'postgres://… for PostgreSQL; empty = SQLite file <dataDir>/hub.sqlite; sqlite:<path> for another file' }),
      poolSize: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
    }),
    redis: section({
      url: Type.String({ default: '', description: 'redis://…; empty = start a private redis-server on a free loopback port' }),
      serverPath: Type.String({ default: 'redis-server' }),
    }),
    auth: section({
      tokenSecret: Type.String({ default: '', description: 'HMAC key for access tokens, at least 32 characters (required)' }),
      tokenTtlSeconds: Type.Integer({ minimum: 30, maximum: 86_400, default: 900 }),
      issuer: Type.String({ default: 'camera-sharing-hub' }),
      loginMaxFailures: Type.Integer({ minimum: 1, maximum: 100, default: 5, description: 'failed logins per account and per source address before each further try waits' }),
      loginBackoffSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 2, description: 'first wait after loginMaxFailures failures; doubles with each further failure' }),
      loginLockSeconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 300, description: 'longest wait the doubling reaches' }),
      userRecheckSeconds: Type.Integer({ minimum: 0, maximum: 300, default: 2, description: 'how stale the per-request check of a token against its user (disabled, role, department) may be' }),
      loginFailureWindowSeconds: Type.Integer({ minimum: 60, maximum: 604_800, default: 900, description: 'failures are forgotten after this long without a new one' }),
    }),
    credentials: section({
      encryptionKey: Type.String({ default: '', description: 'key that encrypts camera credentials at rest, at least 32 characters (required)' }),
    }),
    admin: section({
      username: Type.String({ default: 'admin', minLength: 3, maxLength: 64 }),
      password: Type.String({ default: '', description: 'first-run admin password; empty = generate one and print it once' }),
    }),
    demo: section({
      sampleCameras: Type.Integer({ minimum: 0, maximum: 500, default: 0, description: 'start this many simulated cameras and adopt them' }),
    }),
    log: section({
      level: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')], { default: 'info' }),
    }),
    shutdown: section({
      graceMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
    }),
    retention: section({
      intervalMinutes: Type.Integer({ minimum: 1, maximum: 1_440, default: 60, description: 'how often the retention pass runs (each feature keeps its retention days in its own section)' }),
    }),
    ingest: IngestConfigSchema,
    relay: RelayConfigSchema,
    analytics: AnalyticsConfigSchema,
    checkpoint: CheckpointConfigSchema,
    access: AccessConfigSchema,
    dashboard: DashboardConfigSchema,
  },
  { additionalProperties: false },
);

export type HubConfig = Static<typeof HubConfigSchema>;
