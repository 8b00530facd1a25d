import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../hub/load-config.ts';
import { openDatabase } from '../kernel/db/database.ts';
import { verifyAuditChain, type AuditCheckpoint } from './audit-verifier.ts';

const HELP = `npm run audit:verify -- [options]

Recomputes the audit hash chain and compares its end with the anchor row. Reads the database from the
same configuration as the hub (HUB_DATABASE_URL, HUB_DATA_DIR, HUB_CONFIG / --config).

Options:
  --config FILE         JSON config file
  --database-url URL    overrides HUB_DATABASE_URL
  --data-dir DIR        overrides HUB_DATA_DIR
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

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' }, 'database-url': { type: 'string' }, 'data-dir': { type: 'string' },
      checkpoint: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const overrides: Record<string, unknown> = {
    // The verifier reads no secret; throw-away values let it run where the hub's secrets are not set.
    auth: { tokenSecret: randomBytes(32).toString('base64url') },
    credentials: { encryptionKey: randomBytes(32).toString('base64url') },
  };
  if (values['database-url'] !== undefined) overrides.database = { url: values['database-url'] };
  if (values['data-dir'] !== undefined) overrides.dataDir = values['data-dir'];
  const config = loadConfig({ file: values.config, overrides });
  const checkpoint = values.checkpoint ? parseCheckpoint(values.checkpoint) : undefined;
  const url = config.database.url.trim();
  if (!/^postgres(ql)?:\/\//.test(url)) {
    // Opening a missing SQLite file would create an empty database; say what is wrong instead.
    const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : resolve(config.dataDir, 'hub.sqlite');
    if (file !== ':memory:' && !existsSync(file)) throw new Error(`no hub database at ${file}; set HUB_DATABASE_URL or HUB_DATA_DIR as for the hub`);
  }
  const database = openDatabase({ url, dataDir: resolve(config.dataDir), poolSize: 1 });
  try {
    const result = await verifyAuditChain(database.db, 5_000, { checkpoint });
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
