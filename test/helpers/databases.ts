import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { skipPostgres, testPgAdminUrl } from './pg-url.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

export const databaseKinds: DatabaseKind[] = skipPostgres ? ['sqlite'] : ['sqlite', 'postgres'];

export interface ScratchDatabase {
  kind: DatabaseKind;
  /** Value for config.database.url. */
  url: string;
  /** A data directory of its own (SQLite file, Redis, media). */
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of the given kind, and a temporary data directory; drop() removes both. */
export async function createScratchDatabase(kind: DatabaseKind): Promise<ScratchDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-test-'));
  const cleanupDir = () => { if (!process.env.HUB_KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true }); };
  if (kind === 'sqlite') {
    return { kind, url: `sqlite:${join(dataDir, 'hub.sqlite')}`, dataDir, drop: async () => cleanupDir() };
  }
  const name = `hub_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testPgAdminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testPgAdminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    dataDir,
    drop: async () => {
      const client = new pg.Client({ connectionString: testPgAdminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
        cleanupDir();
      }
    },
  };
}

/** Runs the same block once on SQLite and once on PostgreSQL. */
export function describeEachDatabase(name: string, body: (kind: DatabaseKind) => void): void {
  for (const kind of databaseKinds) describe(`${name} [${kind}]`, () => body(kind));
}
