import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DomainError } from '../errors/domain-error.ts';

/**
 * Where the hub's Redis is: one URL, Sentinels that name the current master, or neither (a private
 * redis-server of the hub's own). Every Redis user goes through RedisConnections (redis-connections.ts).
 */
export const RedisConfigSchema = Type.Object(
  {
    url: Type.String({ default: '', maxLength: 2_048, description: 'redis://… (or rediss://…) of one Redis; empty with no sentinels = start a private redis-server on a free loopback port' }),
    serverPath: Type.String({ default: 'redis-server' }),
    sentinels: Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { default: [], maxItems: 32, description: 'host:port of each Redis Sentinel (env: comma list, e.g. "10.0.0.7:26379,10.0.0.8:26379"); with sentinelMaster the hub asks them for the current master and follows failovers; leave url empty' }),
    sentinelMaster: Type.String({ default: '', maxLength: 128, pattern: '^[^\\s]*$', description: 'name of the master the Sentinels monitor (the <name> of "sentinel monitor <name> …")' }),
    sentinelPassword: Type.String({ default: '', maxLength: 512, description: 'password of the Sentinels themselves (their requirepass); empty = none' }),
    password: Type.String({ default: '', maxLength: 512, description: 'with sentinels: password of the Redis master and replicas (requirepass/masterauth); with url the password goes in the URL' }),
    waitReplicas: Type.Integer({ minimum: 0, maximum: 16, default: 0, description: 'work the hub acknowledges after queueing it in Redis (passes) is acknowledged only once this many replicas have it (Redis WAIT); fewer within waitTimeoutMs = an error (REDIS_NOT_REPLICATED), 0 = acknowledge at the master\'s write' }),
    waitTimeoutMs: Type.Integer({ minimum: 1, maximum: 60_000, default: 1_000, description: 'how long WAIT waits for the replicas' }),
  },
  { additionalProperties: false, default: {} },
);

export type RedisConfig = Static<typeof RedisConfigSchema>;

export interface SentinelAddress {
  host: string;
  port: number;
}

/** `host:port` or `[v6]:port`; undefined when it is neither. */
export function parseSentinelAddress(text: string): SentinelAddress | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}

/** Problems with the section that the schema cannot see; empty when it is usable. */
export function redisProblems(config: RedisConfig): string[] {
  const problems: string[] = [];
  const sentinel = config.sentinels.length > 0;
  if (config.url && !/^rediss?:\/\//.test(config.url)) problems.push('redis.url must start with redis:// or rediss://');
  if (sentinel && config.url) problems.push('set either redis.url or redis.sentinels, not both');
  if (sentinel && !config.sentinelMaster) problems.push('redis.sentinels needs redis.sentinelMaster (HUB_REDIS_SENTINEL_MASTER): the master name the Sentinels monitor');
  if (!sentinel && config.sentinelMaster) problems.push('redis.sentinelMaster needs redis.sentinels (HUB_REDIS_SENTINELS="host:port,host:port")');
  if (!sentinel && (config.password || config.sentinelPassword)) problems.push('redis.password and redis.sentinelPassword are for Sentinel mode; with redis.url put the password in the URL (redis://:password@host:port)');
  if (config.waitReplicas > 0 && !sentinel && !config.url) problems.push('redis.waitReplicas needs a Redis with replicas (redis.sentinels or redis.url); the private redis-server has none');
  for (const entry of config.sentinels) {
    if (!parseSentinelAddress(entry)) problems.push(`redis.sentinels: "${entry}" is not host:port (e.g. 10.0.0.7:26379)`);
  }
  return problems;
}

/**
 * The Redis section from HUB_REDIS_* variables alone, for processes that need only Redis (the remote
 * analytics worker): same names, same checks as the hub's config.
 */
export function redisConfigFromEnv(env: NodeJS.ProcessEnv): RedisConfig {
  const list = (text: string | undefined) => (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const raw = {
    url: env.HUB_REDIS_URL ?? '', sentinels: list(env.HUB_REDIS_SENTINELS), sentinelMaster: env.HUB_REDIS_SENTINEL_MASTER ?? '',
    sentinelPassword: env.HUB_REDIS_SENTINEL_PASSWORD ?? '', password: env.HUB_REDIS_PASSWORD ?? '',
    ...(env.HUB_REDIS_WAIT_REPLICAS ? { waitReplicas: Number(env.HUB_REDIS_WAIT_REPLICAS) } : {}),
    ...(env.HUB_REDIS_WAIT_TIMEOUT_MS ? { waitTimeoutMs: Number(env.HUB_REDIS_WAIT_TIMEOUT_MS) } : {}),
  };
  const config = Value.Default(RedisConfigSchema, raw) as RedisConfig;
  const problems = [...Value.Errors(RedisConfigSchema, config)].map((e) => `redis${e.path.replaceAll('/', '.')}: ${e.message}`);
  if (problems.length === 0) problems.push(...redisProblems(config));
  if (problems.length > 0) throw new DomainError('REDIS_CONFIG_INVALID', `invalid Redis settings:\n  - ${problems.join('\n  - ')}`);
  return config;
}
