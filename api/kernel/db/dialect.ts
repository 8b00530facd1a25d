import { PostgresAdapter, type Kysely } from 'kysely';

/** For the few statements that differ between SQLite and PostgreSQL. */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
