import { parseArgs } from 'node:util';
import { isDomainError } from '../kernel/errors/domain-error.ts';
import { describeConfig, loadConfig } from './load-config.ts';
import { demoSecrets } from './demo-secrets.ts';
import { Hub } from './hub.ts';
import { resetAdminPassword } from './reset-admin.ts';

const HELP = `Camera sharing hub

Usage:
  npm run hub -- [command] [options]

Commands:
  start          run the hub with the configuration from HUB_* variables / --config (default)
  demo           run on embedded defaults: SQLite in ./data, a private Redis, generated secrets kept in
                 ./data/secrets.json, simulated sample cameras (what 'npm run demo' does)
  reset-admin    give the first admin a new random password and print it
  help           this text

Options (each overrides its HUB_* variable):
  --config FILE          JSON config file (same keys as below, nested)
  --host HOST            HUB_HTTP_HOST
  --port N               HUB_HTTP_PORT
  --data-dir DIR         HUB_DATA_DIR
  --database-url URL     HUB_DATABASE_URL (postgres://… or empty for SQLite)
  --redis-url URL        HUB_REDIS_URL (empty: start a private redis-server)
  --sample-cameras N     HUB_DEMO_SAMPLE_CAMERAS
  --log-level LEVEL      HUB_LOG_LEVEL
  --role ROLE            HUB_CLUSTER_ROLE: all (default), api, media or analytics (docs/DEPLOYING.md)
  -h, --help             this text

Configuration (environment variables, with defaults):
${describeConfig().join('\n')}
`;

async function main(): Promise<number> {
  // Files our children write under dataDir (redis-server's append-only file, ffmpeg's HLS segments) are
  // private too; the hub's own files also get explicit modes at creation (api/kernel/fs/private-files.ts).
  process.umask(0o077);
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, 'data-dir': { type: 'string' },
      'database-url': { type: 'string' }, 'redis-url': { type: 'string' }, 'sample-cameras': { type: 'string' },
      'log-level': { type: 'string' }, role: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0] ?? 'start';
  if (values.help || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (!['start', 'demo', 'reset-admin'].includes(command)) {
    process.stderr.write(`unknown command "${command}"; see --help\n`);
    return 2;
  }

  const flags: Record<string, unknown> = {};
  const set = (path: string[], value: unknown) => {
    let node = flags;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = value;
  };
  if (values.host) set(['http', 'host'], values.host);
  if (values.port) set(['http', 'port'], Number(values.port));
  if (values['data-dir']) set(['dataDir'], values['data-dir']);
  if (values['database-url'] !== undefined) set(['database', 'url'], values['database-url']);
  if (values['redis-url'] !== undefined) set(['redis', 'url'], values['redis-url']);
  if (values['sample-cameras']) set(['demo', 'sampleCameras'], Number(values['sample-cameras']));
  if (values['log-level']) set(['log', 'level'], values['log-level']);
  if (values.role) set(['cluster', 'role'], values.role);

  if (command === 'demo') {
    const dataDir = (flags.dataDir as string | undefined) ?? process.env.HUB_DATA_DIR ?? './data';
    const secrets = demoSecrets(dataDir);
    if (!process.env.HUB_AUTH_TOKEN_SECRET) set(['auth', 'tokenSecret'], secrets.tokenSecret);
    if (!process.env.HUB_CREDENTIALS_ENCRYPTION_KEY) set(['credentials', 'encryptionKey'], secrets.encryptionKey);
    if (!process.env.HUB_AUDIT_CHAIN_KEY) set(['audit', 'chainKey'], secrets.auditChainKey);
    if (!process.env.HUB_DEMO_SAMPLE_CAMERAS && flags.demo === undefined) set(['demo', 'sampleCameras'], 8);
    // One simulated GB/T 28181 NVR with four channels, registering to the hub's SIP server.
    if (!process.env.HUB_GB28181_ENABLED) set(['gb28181', 'enabled'], true);
    if (!process.env.HUB_DEMO_GB_NVR_CHANNELS) set(['demo', 'gbNvrChannels'], 4);
  }
  const config = loadConfig({ file: values.config, overrides: flags });

  if (command === 'reset-admin') {
    const password = await resetAdminPassword(config);
    process.stdout.write(`admin login: ${config.admin.username} / ${password}\n`);
    return 0;
  }

  const hub = await Hub.start({ config });
  let signals = 0;
  const exitCode = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        process.stderr.write(`second ${signal}: exiting now\n`);
        process.exit(1);
      }
      hub.ctx.log.info({ signal }, 'shutting down');
      hub.stop().then(() => resolve(0), (error: unknown) => {
        hub.ctx.log.error({ err: error }, 'shutdown failed');
        resolve(1);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });

  const lines = [`\nCamera sharing hub is running at ${hub.url}`, `  player:  ${hub.url}/player/`, `  health:  ${hub.url}/healthz`, `  API:     ${hub.url}/api/v1/openapi.json`];
  if (hub.firstRunAdmin?.generatedPassword) {
    lines.push(`  admin login: ${hub.firstRunAdmin.username} / ${hub.firstRunAdmin.generatedPassword}   (shown once; 'npm run hub -- reset-admin' sets a new one)`);
  } else if (hub.firstRunAdmin) {
    lines.push(`  admin login: ${hub.firstRunAdmin.username} / (the configured HUB_ADMIN_PASSWORD)`);
  } else {
    lines.push(`  admin login: ${config.admin.username} (password shown at first start; 'npm run hub -- reset-admin' sets a new one)`);
  }
  for (const line of hubExtraLines(hub)) lines.push(line);
  process.stdout.write(`${lines.join('\n')}\n\nPress Ctrl+C to stop.\n`);
  return exitCode;
}

/** Lines features want printed at start-up: the demo logins when the demo runs. */
function hubExtraLines(hub: Hub): string[] {
  return hub.services.demo?.startupLines() ?? [];
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isDomainError(error)) process.stderr.write(`hub: ${error.message}\n`);
    else process.stderr.write(`hub: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
