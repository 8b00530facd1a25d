import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Kind, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { HubError } from '../kernel/errors/hub-error.ts';
import { HubConfigSchema, type HubConfig } from './hub-config.ts';
import { auditAlgorithmAvailable } from '../audit/audit-keys.ts';
import { isAddressOrCidr } from '../kernel/http/network-list.ts';
import { isTimeZone } from '../kernel/time/local-time.ts';
import { clusterProblems } from '../kernel/cluster/cluster-config.ts';
import { redisProblems } from '../kernel/redis/redis-config.ts';

/** HUB_* variables that are not config keys (tooling and tests). */
const NON_CONFIG_ENV = new Set(['HUB_CONFIG', 'HUB_SKIP_PG', 'HUB_TEST_PG_URL', 'HUB_KEEP_TEST_DATA']);

/** Values that must never protect a production hub. */
const KNOWN_WEAK_SECRETS = ['changeme', 'secret', 'password', 'default', 'example', '0123456789', 'xxxxxxxx'];

export interface ConfigLeaf {
  path: string[];
  envName: string;
  schema: TSchema;
}

const toEnvSegment = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Every settable leaf of the schema with its environment variable name. */
export function configLeaves(schema: TSchema = HubConfigSchema, path: string[] = []): ConfigLeaf[] {
  if (schema[Kind] === 'Object') {
    return Object.entries(schema.properties as Record<string, TSchema>).flatMap(([key, child]) =>
      configLeaves(child, [...path, key]),
    );
  }
  return [{ path, envName: `HUB_${path.map(toEnvSegment).join('_')}`, schema }];
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const existing = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && existing && typeof existing === 'object'
        ? deepMerge(existing as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

export class ConfigError extends HubError {
  constructor(readonly problems: string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`, 500);
  }
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** JSON config file; HUB_CONFIG names one too. Environment variables override it. */
  file?: string;
  /** Highest precedence: e.g. CLI flags or test settings. */
  overrides?: Record<string, unknown>;
}

/** Defaults < config file < HUB_* environment < overrides; then validated as a whole. */
export function loadConfig(options: LoadConfigOptions = {}): HubConfig {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  let raw: Record<string, unknown> = {};

  const file = options.file ?? env.HUB_CONFIG;
  if (file) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (cause) {
      problems.push(`config file ${file}: ${(cause as Error).message}`);
    }
  }

  const leaves = configLeaves();
  const known = new Set(leaves.map((leaf) => leaf.envName));
  for (const name of Object.keys(env)) {
    if (name.startsWith('HUB_') && !known.has(name) && !NON_CONFIG_ENV.has(name)) {
      problems.push(`unknown environment variable ${name}`);
    }
  }
  for (const leaf of leaves) {
    const text = env[leaf.envName];
    if (text === undefined) continue;
    let converted = listLeaf(leaf.schema) ? listFromEnv(text) : Value.Convert(leaf.schema, text);
    // A list with no `false` form (audit.previousChainKeys): none is the empty list.
    if (converted === false && leaf.schema[Kind] === 'Array') converted = [];
    setPath(raw, leaf.path, converted);
  }
  if (options.overrides) raw = deepMerge(raw, options.overrides);

  const withDefaults = Value.Default(HubConfigSchema, Value.Clone(raw)) as Record<string, unknown>;
  for (const error of Value.Errors(HubConfigSchema, withDefaults)) {
    const path = error.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    problems.push(`${path}: ${error.message}${error.value !== undefined && typeof error.value !== 'object' ? ` (got ${JSON.stringify(error.value)})` : ''}`);
  }
  if (problems.length === 0) problems.push(...secretProblems(withDefaults as HubConfig), ...httpProblems(withDefaults as HubConfig), ...clusterProblems((withDefaults as HubConfig).cluster), ...redisProblems((withDefaults as HubConfig).redis));
  if (problems.length > 0) throw new ConfigError(problems);
  return withDefaults as HubConfig;
}

/** A leaf that takes a list (possibly `false` for none), e.g. http.trustProxy. */
const listLeaf = (schema: TSchema): boolean =>
  schema[Kind] === 'Array' || (schema[Kind] === 'Union' && (schema.anyOf as TSchema[]).some((s) => s[Kind] === 'Array'));

/** Lists arrive in the environment as comma lists; `false` or empty means none. */
function listFromEnv(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'false') return false;
  return trimmed.split(',').map((item) => item.trim()).filter(Boolean);
}


function httpProblems(config: HubConfig): string[] {
  const problems: string[] = [];
  for (const entry of config.http.trustProxy || []) {
    // `true` (trust every peer) would let any client forge X-Forwarded-For and pick its own throttle key.
    if (!isAddressOrCidr(entry)) problems.push(`http.trustProxy: "${entry}" is not an IP address or CIDR; list your proxies' addresses`);
  }
  for (const entry of config.http.outboundAllowedNetworks) {
    if (!isAddressOrCidr(entry)) problems.push(`http.outboundAllowedNetworks: "${entry}" is not an IP address or CIDR`);
  }
  for (const entry of config.ingest.discovery.allowedNetworks) {
    if (!isAddressOrCidr(entry)) problems.push(`ingest.discovery.allowedNetworks: "${entry}" is not an IP address or CIDR`);
  }
  if (!isTimeZone(config.display.timeZone)) problems.push(`display.timeZone: "${config.display.timeZone}" is not a known IANA time zone (e.g. Asia/Shanghai)`);
  const idle = config.http.connectionTimeoutSeconds;
  if (idle > 0 && config.access.sseHeartbeatSeconds >= idle) problems.push('access.sseHeartbeatSeconds must be shorter than http.connectionTimeoutSeconds (idle sockets are closed)');
  if (idle > 0 && config.relay.startTimeoutSeconds >= idle) problems.push('relay.startTimeoutSeconds must be shorter than http.connectionTimeoutSeconds (a waiting playlist request is idle)');
  if (config.cluster.enabled) {
    // Nodes share state only through these two: a private Redis or a SQLite file would split the cluster.
    if (!config.redis.url && config.redis.sentinels.length === 0) problems.push('cluster.enabled needs redis.url or redis.sentinels: every node must use the same Redis');
    if (!/^postgres(ql)?:\/\//.test(config.database.url)) problems.push('cluster.enabled needs database.url postgres://…: every node must use the same PostgreSQL');
    if (config.cluster.heartbeatMs * 2 > config.cluster.leaseTtlMs) problems.push('cluster.heartbeatMs must be at most half of cluster.leaseTtlMs (a lease must survive a missed renewal)');
  }
  return problems;
}

function secretProblems(config: HubConfig): string[] {
  const problems: string[] = [];
  const check = (name: string, envName: string, value: string) => {
    if (value.length === 0) problems.push(`${name} is required (set ${envName}); the hub will not start without it`);
    else if (value.length < 32) problems.push(`${name} must be at least 32 characters`);
    else if (KNOWN_WEAK_SECRETS.some((weak) => value.toLowerCase().includes(weak)) || new Set(value).size < 8) {
      problems.push(`${name} looks like a default or example value; generate a random one`);
    }
  };
  check('auth.tokenSecret', 'HUB_AUTH_TOKEN_SECRET', config.auth.tokenSecret);
  check('credentials.encryptionKey', 'HUB_CREDENTIALS_ENCRYPTION_KEY', config.credentials.encryptionKey);
  check('audit.chainKey', 'HUB_AUDIT_CHAIN_KEY', config.audit.chainKey);
  if (config.auth.tokenSecret && config.auth.tokenSecret === config.credentials.encryptionKey) {
    problems.push('auth.tokenSecret and credentials.encryptionKey must differ');
  }
  if (!auditAlgorithmAvailable(config.audit.algorithm)) problems.push(`audit.algorithm ${config.audit.algorithm} is not available in this Node's OpenSSL`);
  // Whoever holds the token secret (every hub replica, any tool that mints tokens) must not hold the audit key by accident.
  if (config.audit.chainKey && [config.auth.tokenSecret, config.credentials.encryptionKey].includes(config.audit.chainKey)) {
    problems.push('audit.chainKey must differ from auth.tokenSecret and credentials.encryptionKey');
  }
  return problems;
}

/** One line per option for `--help`: variable, default, description. */
export function describeConfig(): string[] {
  return configLeaves().map((leaf) => {
    const def = (leaf.schema as { default?: unknown }).default;
    const desc = (leaf.schema as { description?: string }).description;
    const defText = def === undefined || def === '' ? '' : ` (default ${JSON.stringify(def)})`;
    return `  ${leaf.envName.padEnd(38)} ${leaf.path.join('.')}${defText}${desc ? ` — ${desc}` : ''}`;
  });
}
