/** PostgreSQL server the tests create their throw-away databases on. */
export const testPgAdminUrl = process.env.HUB_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

export const skipPostgres = process.env.HUB_SKIP_PG === '1';
