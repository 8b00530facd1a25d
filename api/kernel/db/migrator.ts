import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { HubError } from '../errors/hub-error.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Migrations are the files NNNN_name.ts in api/kernel/db/migrations, applied in name order. Imported from here
 * (not from inside kysely) so that the TypeScript loader in use (tsx, vitest) handles them.
 */
class MigrationFolder implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d{4}_[\w-]+\.ts$/.test(f)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      migrations[file.replace(/\.ts$/, '')] = (await import(pathToFileURL(path.join(MIGRATIONS_DIR, file)).href)) as Migration;
    }
    return migrations;
  }
}

/** Applies every pending migration. */
export function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return migrate(db);
}

/** Applies pending migrations up to and including `name` (tests of a migration on a database that holds data). */
export function migrateUpTo(db: Kysely<any>, name: string): Promise<string[]> {
  return migrate(db, name);
}

async function migrate(db: Kysely<any>, upTo?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new MigrationFolder() });
  const { error, results } = upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
  const failed = results?.find((result) => result.status === 'Error');
  if (error) {
    throw new HubError('DB_MIGRATION_FAILED', `database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`, 500, { cause: error });
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
