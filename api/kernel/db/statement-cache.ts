import type SQLite from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Distinct SQL texts kept prepared; the hub's queries are a few hundred shapes (IN lists vary by length). */
export const DEFAULT_STATEMENT_CACHE_SIZE = 500;

/**
 * The better-sqlite3 handle as Kysely's SQLite driver sees it, with prepared statements kept by SQL text: the
 * driver calls `prepare(sql)` on every query, and compiling the SQL was a measurable share of a busy
 * event loop (4 % of a GA/T 1400 push). A statement is handed out again only when it is not busy: one that
 * a streaming query (`iterate()`) is still reading gets a fresh, uncached statement beside it. The least
 * recently used statements beyond `capacity` are dropped (SQLite finalises them when they are collected).
 * A schema change needs nothing here: SQLite recompiles a stale statement on its next run.
 */
export class StatementCache implements SqliteDatabase {
  private readonly statements = new Map<string, SQLite.Statement>();

  constructor(private readonly handle: SQLite.Database, private readonly capacity = DEFAULT_STATEMENT_CACHE_SIZE) {}

  prepare(sql: string): SQLite.Statement {
    const cached = this.statements.get(sql);
    if (cached) {
      if (cached.busy) return this.handle.prepare(sql);
      // Map order is insertion order: re-inserting makes it the most recently used.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = this.handle.prepare(sql);
    this.statements.set(sql, statement);
    if (this.statements.size > this.capacity) this.statements.delete(this.statements.keys().next().value!);
    return statement;
  }

  /** How many statements are kept (for tests and metrics). */
  get size(): number {
    return this.statements.size;
  }

  close(): void {
    this.statements.clear();
    this.handle.close();
  }
}
