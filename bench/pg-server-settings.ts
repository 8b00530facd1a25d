import pg from 'pg';

/**
 * Server settings a bench may change for its run without a restart (ALTER SYSTEM + reload), put back
 * afterwards. Only the ones docs/DEPLOYING.md recommends for checkpoint ingest: each changes how often and
 * how much PostgreSQL writes to its WAL, never what a committed row is.
 */
const RELOADABLE: Record<string, RegExp> = {
  wal_compression: /^(lz4|pglz|zstd|on|off)$/,
  max_wal_size: /^\d+(MB|GB)$/,
  checkpoint_timeout: /^\d+(s|min)$/,
  checkpoint_completion_target: /^0?\.\d+$|^1(\.0)?$/,
};

/** Parses `name=value` pairs; throws a message naming the allowed settings. */
export function parseServerSettings(pairs: string[]): Array<[string, string]> {
  return pairs.map((pair) => {
    const [name, value] = pair.split('=', 2) as [string, string | undefined];
    const pattern = Object.hasOwn(RELOADABLE, name) ? RELOADABLE[name] : undefined;
    if (!pattern) throw new Error(`--pg-set ${pair}: only ${Object.keys(RELOADABLE).join(', ')} (reloadable without a restart)`);
    if (value === undefined || !pattern.test(value)) throw new Error(`--pg-set ${pair}: ${name} must match ${pattern}`);
    return [name, value];
  });
}

/** Applies the settings; the returned function restores each to what postgresql.auto.conf held before (or removes it). */
export async function applyServerSettings(adminUrl: string, settings: Array<[string, string]>): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const before = new Map<string, string | undefined>();
  try {
    for (const [name, value] of settings) {
      const auto = await client.query<{ setting: string }>(
        `select setting from pg_file_settings where name = $1 and sourcefile like '%postgresql.auto.conf' order by seqno desc limit 1`, [name]);
      before.set(name, auto.rows[0]?.setting);
      // Names and values matched the allowlist above: ALTER SYSTEM takes no parameters.
      await client.query(`alter system set ${name} = '${value}'`);
    }
    await client.query('select pg_reload_conf()');
  } finally {
    await client.end();
  }
  return async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      for (const [name, value] of before) await c.query(value === undefined ? `alter system reset ${name}` : `alter system set ${name} = '${value.replace(/'/g, '')}'`);
      await c.query('select pg_reload_conf()');
    } finally {
      await c.end();
    }
  };
}
