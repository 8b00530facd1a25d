import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../api/hub/load-config.ts';
import { redisConfigFromEnv } from '../../api/kernel/redis/redis-config.ts';
import { RedisConnections } from '../../api/kernel/redis/redis-connections.ts';

const secrets = {
  HUB_AUTH_TOKEN_SECRET: 'k3J9x-Qm2vT8wLp4Zr7NcYb1Hd6Fs0Ug',
  HUB_CREDENTIALS_ENCRYPTION_KEY: 'Wq5Er8Ty1Ui4Op7As2Df6Gh9Jk3Lz0Xc',
  HUB_AUDIT_CHAIN_KEY: 'Zx8Cv5Bn2Mq7Wr4Ty1Up6As3Df9Gh0Jk',
};

const problemsOf = (env: Record<string, string>, overrides?: Record<string, unknown>): string[] => {
  try {
    loadConfig({ env: { ...secrets, ...env }, overrides });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('config: Redis by URL or through Sentinels', () => {
  it('reads the Sentinel settings from HUB_REDIS_* and builds ioredis sentinel options from them', () => {
    const config = loadConfig({ env: { ...secrets, HUB_REDIS_SENTINELS: '10.0.0.7:26379, redis-s2.local:26380,[fd00::3]:26379', HUB_REDIS_SENTINEL_MASTER: 'mymaster', HUB_REDIS_PASSWORD: 'data-pw', HUB_REDIS_SENTINEL_PASSWORD: 'sentinel-pw' } });
    expect(config.redis).toMatchObject({ url: '', sentinels: ['10.0.0.7:26379', 'redis-s2.local:26380', '[fd00::3]:26379'], sentinelMaster: 'mymaster' });
    const redis = RedisConnections.fromConfig(config.redis);
    const options = redis.bullmq('t');
    expect(options).toMatchObject({
      sentinels: [{ host: '10.0.0.7', port: 26379 }, { host: 'redis-s2.local', port: 26380 }, { host: 'fd00::3', port: 26379 }],
      name: 'mymaster', password: 'data-pw', sentinelPassword: 'sentinel-pw', maxRetriesPerRequest: null,
    });
    expect(options.url).toBeUndefined();
    expect(redis.describe()).toBe('sentinel master "mymaster" via 10.0.0.7:26379,redis-s2.local:26380,fd00::3:26379');
    expect(redis.replicaWait).toEqual({ replicas: 0, timeoutMs: 1_000 });
  });

  it('redis.waitReplicas / waitTimeoutMs from HUB_REDIS_WAIT_*; refused without a Redis that can have replicas', () => {
    const config = loadConfig({ env: { ...secrets, HUB_REDIS_SENTINELS: 'a:26379', HUB_REDIS_SENTINEL_MASTER: 'm', HUB_REDIS_WAIT_REPLICAS: '1', HUB_REDIS_WAIT_TIMEOUT_MS: '250' } });
    expect(RedisConnections.fromConfig(config.redis).replicaWait).toEqual({ replicas: 1, timeoutMs: 250 });
    expect(redisConfigFromEnv({ HUB_REDIS_URL: 'redis://r:6379', HUB_REDIS_WAIT_REPLICAS: '2' })).toMatchObject({ waitReplicas: 2, waitTimeoutMs: 1_000 });
    expect(problemsOf({ HUB_REDIS_WAIT_REPLICAS: '1' })[0]).toMatch(/redis\.waitReplicas needs a Redis with replicas/);
    expect(problemsOf({ HUB_REDIS_URL: 'redis://r:6379', HUB_REDIS_WAIT_REPLICAS: '-1' }).join()).toMatch(/waitReplicas/);
  });

  it('a URL stays a URL; its password never reaches describe()', () => {
    const redis = RedisConnections.fromConfig(loadConfig({ env: { ...secrets, HUB_REDIS_URL: 'redis://:s3cret@10.0.0.9:6379/2' } }).redis);
    expect(redis.url).toBe('redis://:s3cret@10.0.0.9:6379/2');
    expect(redis.bullmq('t')).toMatchObject({ url: 'redis://:s3cret@10.0.0.9:6379/2', maxRetriesPerRequest: null });
    expect(redis.describe()).not.toContain('s3cret');
  });

  it('refuses bad values at start-up with a message that says what to set', () => {
    expect(problemsOf({ HUB_REDIS_SENTINELS: '10.0.0.7' , HUB_REDIS_SENTINEL_MASTER: 'm' })).toContain('redis.sentinels: "10.0.0.7" is not host:port (e.g. 10.0.0.7:26379)');
    expect(problemsOf({ HUB_REDIS_SENTINELS: '10.0.0.7:99999', HUB_REDIS_SENTINEL_MASTER: 'm' })[0]).toMatch(/not host:port/);
    expect(problemsOf({ HUB_REDIS_SENTINELS: '10.0.0.7:26379' })[0]).toMatch(/redis\.sentinels needs redis\.sentinelMaster \(HUB_REDIS_SENTINEL_MASTER\)/);
    expect(problemsOf({ HUB_REDIS_SENTINEL_MASTER: 'm' })[0]).toMatch(/redis\.sentinelMaster needs redis\.sentinels/);
    expect(problemsOf({ HUB_REDIS_URL: 'redis://r:6379', HUB_REDIS_SENTINELS: 'a:1', HUB_REDIS_SENTINEL_MASTER: 'm' })).toContain('set either redis.url or redis.sentinels, not both');
    expect(problemsOf({ HUB_REDIS_URL: 'redis://r:6379', HUB_REDIS_PASSWORD: 'x' })[0]).toMatch(/put the password in the URL/);
    expect(problemsOf({ HUB_REDIS_URL: 'http://r:6379' })).toContain('redis.url must start with redis:// or rediss://');
    expect(problemsOf({ HUB_REDIS_SENTINEL_NAME: 'm' })).toContain('unknown environment variable HUB_REDIS_SENTINEL_NAME');
    expect(problemsOf({}, { redis: { sentinel: ['a:1'] } })).toContain('redis.sentinel: Unexpected property');
  });

  it('a cluster accepts Sentinels as its shared Redis', () => {
    const env = { ...secrets, HUB_CLUSTER_ENABLED: 'true', HUB_DATABASE_URL: 'postgres://h/db', HUB_REDIS_SENTINELS: 'a:26379', HUB_REDIS_SENTINEL_MASTER: 'm' };
    expect(loadConfig({ env }).cluster.enabled).toBe(true);
    expect(problemsOf({ HUB_CLUSTER_ENABLED: 'true', HUB_DATABASE_URL: 'postgres://h/db' })).toContain('cluster.enabled needs redis.url or redis.sentinels: every node must use the same Redis');
  });

  it('the remote worker reads the same variables, with the same checks', () => {
    expect(redisConfigFromEnv({ HUB_REDIS_SENTINELS: 'a:26379,b:26379', HUB_REDIS_SENTINEL_MASTER: 'm' })).toMatchObject({ sentinels: ['a:26379', 'b:26379'], sentinelMaster: 'm' });
    expect(() => redisConfigFromEnv({ HUB_REDIS_SENTINELS: 'a:26379' })).toThrow(/needs redis\.sentinelMaster/);
  });
});
