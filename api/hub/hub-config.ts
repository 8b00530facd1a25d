import { Type, type Static } from '@sinclair/typebox';
import { HttpConfigSchema } from '../kernel/http/http-config.ts';
import { AnalyticsConfigSchema } from '../../analytics/analytics-config.ts';
import { IngestConfigSchema } from '../../ingest/ingest-config.ts';
import { Gb28181ConfigSchema } from '../../ingest/gb28181/gb28181-config.ts';
import { RelayConfigSchema } from '../../relay/relay-config.ts';
import { RecordingConfigSchema } from '../../recording/recording-config.ts';
import { AccessConfigSchema } from '../access/access-config.ts';
import { CheckpointConfigSchema } from '../checkpoint/checkpoint-config.ts';
import { DashboardConfigSchema } from '../dashboard/dashboard-config.ts';
import { ViidConfigSchema } from '../viid/viid-config.ts';
import { PlayerConfigSchema } from '../../player/player-config.ts';
import { WallConfigSchema } from '../../player/console/wall-config.ts';
import { PlaybackConfigSchema } from '../playback/playback-config.ts';
import { ClusterConfigSchema } from '../kernel/cluster/cluster-config.ts';
import { RedisConfigSchema } from '../kernel/redis/redis-config.ts';

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
    http: HttpConfigSchema,
    database: section({
      url: Type.String({ default: '', description: 'postgres://… for PostgreSQL; empty = SQLite file <dataDir>/hub.sqlite; sqlite:<path> for another file' }),
      poolSize: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
      readUrl: Type.String({ default: '', description: 'postgres://… of a streaming replica that serves pass searches and lists (never writes); empty = the primary' }),
    }),
    redis: RedisConfigSchema,
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
      previousEncryptionKeys: Type.Array(Type.String({ minLength: 32, maxLength: 512 }), { default: [], maxItems: 16, description: 'retired credential keys: credentials they sealed are sealed again with encryptionKey at start (env: comma list)' }),
    }),
    audit: section({
      chainKey: Type.String({ default: '', description: 'HMAC key for the audit chain and its checkpoints, at least 32 characters (required); the database never holds it' }),
      previousChainKeys: Type.Array(Type.String({ minLength: 32, maxLength: 512 }), { default: [], maxItems: 16, description: 'retired audit keys, kept only to verify events they keyed (env: comma list)' }),
      algorithm: Type.Union([Type.Literal('sha256'), Type.Literal('sm3')], { default: 'sha256', description: 'HMAC hash of the audit chain: sha256, or sm3 (GB/T 32905) where the national algorithms are required' }),
      checkpointIntervalMinutes: Type.Integer({ minimum: 1, maximum: 1_440, default: 15, description: 'how often the chain head is published (HMAC\'d) to <dataDir>/audit-checkpoints.jsonl and the log' }),
    }),
    admin: section({
      username: Type.String({ default: 'admin', minLength: 3, maxLength: 64 }),
      password: Type.String({ default: '', description: 'first-run admin password; empty = generate one and print it once' }),
    }),
    demo: section({
      sampleCameras: Type.Integer({ minimum: 0, maximum: 500, default: 0, description: 'start this many simulated cameras and adopt them' }),
      tollgateDevices: Type.Integer({ minimum: 0, maximum: 50, default: 3, description: 'with sample cameras: this many simulated GA/T 1400 卡口 devices register and push passes to /VIID' }),
      gbNvrChannels: Type.Integer({ minimum: 0, maximum: 64, default: 0, description: 'start one simulated GB/T 28181 NVR with this many channels in the community department (needs gb28181.enabled)' }),
    }),
    log: section({
      level: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')], { default: 'info' }),
    }),
    shutdown: section({
      graceMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
    }),
    display: section({
      timeZone: Type.String({ default: 'Asia/Shanghai', minLength: 1, maxLength: 64, description: 'IANA time zone of the times people read in exports and reports (the "time" columns of the audit and checkpoint CSV exports); the player shows Asia/Shanghai unless the user picks another zone' }),
    }),
    cluster: ClusterConfigSchema,
    retention: section({
      intervalMinutes: Type.Integer({ minimum: 1, maximum: 1_440, default: 60, description: 'how often the retention pass runs (each feature keeps its retention days in its own section)' }),
    }),
    ingest: IngestConfigSchema,
    gb28181: Gb28181ConfigSchema,
    relay: RelayConfigSchema,
    recording: RecordingConfigSchema,
    analytics: AnalyticsConfigSchema,
    checkpoint: CheckpointConfigSchema,
    access: AccessConfigSchema,
    dashboard: DashboardConfigSchema,
    viid: ViidConfigSchema,
    player: PlayerConfigSchema,
    wall: WallConfigSchema,
    playback: PlaybackConfigSchema,
  },
  { additionalProperties: false },
);

export type HubConfig = Static<typeof HubConfigSchema>;
