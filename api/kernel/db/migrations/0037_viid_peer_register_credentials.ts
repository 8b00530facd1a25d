import type { Kysely } from 'kysely';

/**
 * Downward registration: the credentials the hub registers with at a lower 视图库 (HTTP Digest, as its upper
 * platform) before it subscribes there. Both empty = the lower one must accept us without it (it registered to us).
 * The password is sealed with the credentials key, like the peer's own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('viid_peers').addColumn('register_username', 'text').execute();
  await db.schema.alterTable('viid_peers').addColumn('register_password_enc', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('viid_peers').dropColumn('register_password_enc').execute();
  await db.schema.alterTable('viid_peers').dropColumn('register_username').execute();
}
