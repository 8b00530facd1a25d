import type { Kysely } from 'kysely';

/**
 * Keyed audit chain (issue 13, #8): each event names the audit key its hash was computed with (HMAC-SHA256
 * under audit.chainKey, which the database never holds). Events written before this migration keep
 * key_id null and verify with the old unkeyed SHA-256 rule; the verifier accepts no unkeyed event after
 * a keyed one, nor after the first checkpoint published outside the database. Adding a nullable column
 * rewrites no row, so the append-only triggers are not involved.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('key_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').dropColumn('key_id').execute();
}
