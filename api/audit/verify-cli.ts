import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../hub/load-config.ts';
import { openDatabase } from '../kernel/db/database.ts';
import { checkpointFileOf, readCheckpoints } from './audit-checkpoints.ts';
import { auditKeyringOf } from './audit-keys.ts';
import { verifyAuditChain, type AuditCheckpoint } from './audit-verifier.ts';

const HELP = `npm run audit:verify -- [options]

Recomputes the audit chain (HMAC-SHA256 under the audit key; plain SHA-256 for events from before
keying), compares its end with the anchor row and holds it to every checkpoint the hub published in
<dataDir>/audit-checkpoints.jsonl. Reads the same configuration as the hub (HUB_DATABASE_URL,
HUB_DATA_DIR, HUB_CONFIG / --config) and needs the audit key: HUB_AUDIT_CHAIN_KEY (and
HUB_AUDIT_PREVIOUS_CHAIN_KEYS after a rotation); a demo's data folder provides its own (secrets.json).

Options:
  --config FILE         JSON config file
  --database-url URL    overrides HUB_DATABASE_URL
  --data-dir DIR        overrides HUB_DATA_DIR
  --checkpoints FILE    the hub's checkpoint file (default <dataDir>/audit-checkpoints.jsonl), e.g. a copy
                        kept elsewhere
  --without-checkpoints check the chain and anchor alone (a database copied without its checkpoint file)
  --checkpoint SEQ:HASH a pair printed by an earlier run and kept outside the database; detects a
                        removed tail even if the anchor row was rewritten too
  -h, --help            this text

Exit status: 0 chain intact ("ok N events"), 1 chain broken (first broken event printed), 2 could not check.
`;

function parseCheckpoint(text: string): AuditCheckpoint {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (!match) throw new Error(`--checkpoint must look like 123:<64 hex digits>, got "${text}"`);
  return { seq: Number(match[1]), hash: match[2] };
}

/** `npm run demo` keeps its generated audit key in <dataDir>/secrets.json; the verifier uses it when no key is set. */
function demoAuditKey(dataDir: string): string | undefined {
  const file = resolve(dataDir, 'secrets.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { auditChainKey?: string }).auditChainKey;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' }, 'database-url': { type: 'string' }, 'data-dir': { type: 'string' },
      checkpoint: { type: 'string' }, checkpoints: { type: 'string' }, 'without-checkpoints': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const overrides: Record<string, unknown> = {
    // The verifier needs the audit key only; throw-away values let it run where the other secrets are not set.
    auth: { tokenSecret: randomBytes(32).toString('base64url') },
    credentials: { encryptionKey: randomBytes(32).toString('base64url') },
  };
  if (values['database-url'] !== undefined) overrides.database = { url: values['database-url'] };
  if (values['data-dir'] !== undefined) overrides.dataDir = values['data-dir'];
  const demoKey = demoAuditKey(values['data-dir'] ?? process.env.HUB_DATA_DIR ?? './data');
  if (demoKey && !process.env.HUB_AUDIT_CHAIN_KEY && !values.config && !process.env.HUB_CONFIG) overrides.audit = { chainKey: demoKey };
  const config = loadConfig({ file: values.config, overrides });
  const checkpoint = values.checkpoint ? parseCheckpoint(values.checkpoint) : undefined;
  const url = config.database.url.trim();
  if (!/^postgres(ql)?:\/\//.test(url)) {
    // Opening a missing SQLite file would create an empty database; say what is wrong instead.
    const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : resolve(config.dataDir, 'hub.sqlite');
    if (file !== ':memory:' && !existsSync(file)) throw new Error(`no hub database at ${file}; set HUB_DATABASE_URL or HUB_DATA_DIR as for the hub`);
  }
  const keys = auditKeyringOf(config.audit);
  let checkpoints: AuditCheckpoint[] | undefined;
  if (!values['without-checkpoints']) {
    const file = values.checkpoints ? resolve(values.checkpoints) : checkpointFileOf(resolve(config.dataDir));
    const published = await readCheckpoints(file, keys);
    if (!published) throw new Error(`no audit checkpoint file at ${file}; pass --checkpoints FILE, or --without-checkpoints to check the chain alone`);
    if (published.forged.length > 0) {
      process.stdout.write(`BROKEN checkpoint file ${file}: line(s) ${published.forged.join(', ')} do not verify with the audit key\n`);
      return 1;
    }
    checkpoints = published.checkpoints;
  }
  const database = openDatabase({ url, dataDir: resolve(config.dataDir), poolSize: 1 });
  try {
    const result = await verifyAuditChain(database.db, 5_000, { keys, checkpoint, checkpoints });
    if (result.ok) {
      const tail = result.lastSeq === undefined ? '' : ` (checkpoint ${result.lastSeq}:${result.lastHash})`;
      process.stdout.write(`ok ${result.checked} events${tail}\n`);
      return 0;
    }
    const broken = result.brokenAt!;
    process.stdout.write(
      `BROKEN at seq ${broken.seq}${broken.id ? ` (event ${broken.id})` : ''}: ${broken.problem}; ` +
        `${result.checked} events verified before it in ${database.description}\n`,
    );
    return 1;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: Error) => {
    process.stderr.write(`audit:verify could not check the trail: ${error.message}\n`);
    process.exitCode = 2;
  },
);
