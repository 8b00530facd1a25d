import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { createPrivateFileSync, ensurePrivateDirSync, tightenSqliteFiles } from '../fs/private-files.ts';
import { HubError } from '../errors/hub-error.ts';
import { SqliteCheckpointer } from './sqlite-checkpointer.ts';
import { StatementCache } from './statement-cache.ts';
import type { Database } from './tables/index.ts';

// bigint (int8) columns hold epoch milliseconds, far below 2^53: read them as numbers on PostgreSQL too.
pg.types.setTypeParser(20, (value: string) => Number(value));
// numeric → number (coordinates, averages); double precision is already a number.
pg.types.setTypeParser(1700, (value: string) => Number(value));

/** The pg pool behind each PostgreSQL Kysely instance, for the one thing Kysely cannot do: COPY. */
const pools = new WeakMap<Kysely<Database>, pg.Pool>();

/** The pg pool of a database opened here, or undefined (SQLite, or a Kysely instance made elsewhere). */
export function pgPoolOf(db: Kysely<Database>): pg.Pool | undefined {
  return pools.get(db);
}

const sqliteHandles = new WeakMap<Kysely<Database>, SQLite.Database>();

/**
 * The better-sqlite3 handle under a SQLite database opened here, or undefined. Only for hot paths that run a
 * whole synchronous transaction on it at once (cached prepared statements) and first check `inTransaction`:
 * Kysely's own transactions hold the same connection across awaits.
 */
export function sqliteHandleOf(db: Kysely<Database>): SQLite.Database | undefined {
  return sqliteHandles.get(db);
}

export interface HubDatabase {
  db: Kysely<Database>;
  /**
   * For search and list routes only: a streaming replica when readUrl is set (its sessions are read-only,
   * so a write sent there by mistake fails instead of diverging), otherwise db itself.
   */
  readDb: Kysely<Database>;
  /** Where the data lives, without any password (for logs). */
  description: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres://… or sqlite:<path>; empty = SQLite file in dataDir. */
  url: string;
  dataDir: string;
  poolSize?: number;
  /** PostgreSQL application_name: which pool a server-side session belongs to (pg_stat_activity). */
  applicationName?: string;
  /** postgres://… of a streaming replica for searches; empty = the primary serves them too. */
  readUrl?: string;
}

const isPostgresUrl = (url: string) => url.startsWith('postgres://') || url.startsWith('postgresql://');

export function openDatabase(options: OpenDatabaseOptions): HubDatabase {
  const primary = openOne(options);
  const readUrl = options.readUrl?.trim();
  if (!readUrl) return primary;
  if (!isPostgresUrl(options.url.trim()) || !isPostgresUrl(readUrl)) {
    throw new HubError('CONFIG_INVALID', 'database.readUrl (HUB_DATABASE_READ_URL) needs PostgreSQL for both database.url and the replica', 500);
  }
  const replica = openOne({ ...options, url: readUrl, applicationName: 'hub-read', readOnly: true });
  return {
    db: primary.db,
    readDb: replica.db,
    description: `${primary.description} (searches: ${replica.description})`,
    close: async () => { await Promise.all([primary.close(), replica.close()]); },
  };
}

function openOne(options: OpenDatabaseOptions & { readOnly?: boolean }): HubDatabase {
  const url = options.url.trim();
  if (isPostgresUrl(url)) {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, connectionTimeoutMillis: 5_000, application_name: options.applicationName ?? 'hub',
      ...(options.readOnly ? { options: '-c default_transaction_read_only=on' } : {}) });
    // An idle client losing its server must not crash the hub; the next query reports it.
    pool.on('error', () => {});
    // The pool listens only while a client is idle: a checked-out client (mid-transaction) whose server
    // dies (kill -9, failover) emits 'error' with no listener, an uncaught exception that ends the hub.
    // Listen for its whole life; the failing query still rejects and the pool drops the broken client.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    pools.set(db, pool);
    const safe = new URL(url);
    safe.password = safe.password ? '***' : '';
    return { db, readDb: db, description: safe.toString(), close: () => db.destroy() };
  }
  const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : resolve(options.dataDir, 'hub.sqlite');
  if (file !== ':memory:') {
    // Only a folder we create is made private here; an operator's own folder for sqlite:<path> is left alone.
    if (!existsSync(dirname(resolve(file)))) ensurePrivateDirSync(dirname(resolve(file)));
    createPrivateFileSync(file);
  }
  const sqlite = new SQLite(file);
  // WAL: readers do not block the ingest writer; NORMAL sync is durable across process crashes.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  if (file !== ':memory:') tightenSqliteFiles(file);
  // Off the event loop: copying the WAL back into the file (and syncing it) was a third of each insert's time.
  const checkpointer = file !== ':memory:' ? new SqliteCheckpointer(sqlite, resolve(file)) : undefined;
  // Kysely prepares every query's SQL anew; the cache keeps the compiled statements.
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new StatementCache(sqlite) }) });
  sqliteHandles.set(db, sqlite);
  return {
    db, readDb: db, description: `sqlite:${file}`,
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
      // Kysely closes the handle only if it ever ran a query on it.
      if (sqlite.open) sqlite.close();
    },
  };
}
