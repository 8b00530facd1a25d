import pg from 'pg';
import { skipPostgres, testPgAdminUrl } from './pg-url.ts';

/**
 * Every database test runs on SQLite and PostgreSQL. A missing PostgreSQL fails the run loudly instead of
 * silently testing half the product; HUB_SKIP_PG=1 is the explicit opt-out.
 */
export default async function globalSetup(): Promise<void> {
  if (skipPostgres) {
    console.warn('[tests] HUB_SKIP_PG=1: PostgreSQL tests are skipped on purpose');
    return;
  }
  const client = new pg.Client({ connectionString: testPgAdminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (cause) {
    throw new Error(
      `PostgreSQL is not reachable at ${testPgAdminUrl.replace(/:[^:@/]*@/, ':***@')}: run scripts/setup.sh --for-tests, ` +
        'set HUB_TEST_PG_URL, or set HUB_SKIP_PG=1 to skip the PostgreSQL half of the suite on purpose',
      { cause },
    );
  } finally {
    await client.end().catch(() => {});
  }
}
