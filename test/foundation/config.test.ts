import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configLeaves, describeConfig, loadConfig } from '../../api/hub/load-config.ts';

const secrets = {
  HUB_AUTH_TOKEN_SECRET: 'k3J9x-Qm2vT8wLp4Zr7NcYb1Hd6Fs0Ug',
  HUB_CREDENTIALS_ENCRYPTION_KEY: 'Wq5Er8Ty1Ui4Op7As2Df6Gh9Jk3Lz0Xc',
  HUB_AUDIT_CHAIN_KEY: 'Zx8Cv5Bn2Mq7Wr4Ty1Up6As3Df9Gh0Jk',
};

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('config', () => {
  it('fills defaults and reads HUB_* variables with their types', () => {
    const config = loadConfig({ env: { ...secrets, HUB_HTTP_PORT: '9090', HUB_RELAY_IDLE_STOP_SECONDS: '7', HUB_ANALYTICS_ENABLED: 'false' } });
    expect(config.http.port).toBe(9090);
    expect(config.relay.idleStopSeconds).toBe(7);
    expect(config.analytics.enabled).toBe(false);
    expect(config.dataDir).toBe('./data');
    expect(config.database.url).toBe('');
  });

  it('names every leaf HUB_<PATH> and documents it in --help', () => {
    const names = configLeaves().map((leaf) => leaf.envName);
    expect(names).toContain('HUB_AUTH_TOKEN_SECRET');
    expect(names).toContain('HUB_CHECKPOINT_RETENTION_DAYS_PASSES');
    const help = describeConfig().join('\n');
    for (const name of names) expect(help).toContain(name);
  });

  it('takes display.timeZone (Asia/Shanghai by default) and refuses a zone Intl does not know', () => {
    expect(loadConfig({ env: secrets }).display.timeZone).toBe('Asia/Shanghai');
    expect(loadConfig({ env: { ...secrets, HUB_DISPLAY_TIME_ZONE: 'Asia/Urumqi' } }).display.timeZone).toBe('Asia/Urumqi');
    expect(problemsOf(() => loadConfig({ env: { ...secrets, HUB_DISPLAY_TIME_ZONE: 'Mars/Olympus' } })).join('\n')).toContain('display.timeZone: "Mars/Olympus" is not a known IANA time zone');
  });

  it('rejects unknown environment variables and unknown file keys', () => {
    expect(problemsOf(() => loadConfig({ env: { ...secrets, HUB_HTTP_PROT: '1' } }))).toContain('unknown environment variable HUB_HTTP_PROT');
    const dir = mkdtempSync(join(tmpdir(), 'hub-config-'));
    const file = join(dir, 'hub.json');
    writeFileSync(file, JSON.stringify({ http: { port: 1, colour: 'red' } }));
    expect(problemsOf(() => loadConfig({ env: secrets, file })).join('\n')).toMatch(/http.*unexpected property|Unexpected property/i);
  });

  it('explains invalid values', () => {
    const problems = problemsOf(() => loadConfig({ env: { ...secrets, HUB_HTTP_PORT: 'eighty' } }));
    expect(problems.join('\n')).toContain('http.port');
  });

  it('refuses to start without secrets, with short or default-looking ones, or with one reused for both', () => {
    expect(problemsOf(() => loadConfig({ env: {} })).join('\n')).toContain('auth.tokenSecret is required');
    expect(problemsOf(() => loadConfig({ env: { ...secrets, HUB_AUTH_TOKEN_SECRET: 'short' } })).join('\n')).toContain('at least 32');
    expect(problemsOf(() => loadConfig({ env: { ...secrets, HUB_AUTH_TOKEN_SECRET: 'changeme-changeme-changeme-changeme' } })).join('\n')).toContain('default or example');
    expect(problemsOf(() => loadConfig({ env: { ...secrets, HUB_CREDENTIALS_ENCRYPTION_KEY: secrets.HUB_AUTH_TOKEN_SECRET } })).join('\n')).toContain('must differ');
  });
});
