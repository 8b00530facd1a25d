import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/**
 * Access workflow notifications, and the audit trail made append-only in the database itself:
 * - audit_events refuses UPDATE, DELETE (and TRUNCATE on PostgreSQL) by trigger, whoever asks;
 *   on PostgreSQL PUBLIC also loses those privileges, so a hub role that does not own the table
 *   (granted SELECT, INSERT) cannot even try.
 * - audit_anchor holds the last seq/hash; it may only move forward and never be deleted.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('access_notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('grant_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('read_at', 'bigint')
    .execute();
  await db.schema.createIndex('access_notifications_user_idx').on('access_notifications').columns(['user_id', 'created_at']).execute();

  await db.schema
    .createTable('audit_anchor')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_hash', 'text', (c) => c.notNull())
    .addColumn('event_count', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // Existing trails (upgrades) are anchored at their current tail.
  const tail = await db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const count = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  if (tail) {
    await db.insertInto('audit_anchor').values({ id: 'chain', last_seq: Number(tail.seq), last_hash: tail.hash, event_count: Number(count.n), updated_at: Date.now() }).execute();
  }

  if (isPostgres(db)) {
    await sql.raw(`
      create or replace function audit_refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception 'the audit trail is append-only: % on % refused', tg_op, tg_table_name using errcode = '42501';
      end $$;
      create or replace function audit_anchor_forward_only() returns trigger language plpgsql as $$
      begin
        if new.last_seq < old.last_seq or new.event_count < old.event_count or new.id <> old.id then
          raise exception 'the audit anchor only moves forward' using errcode = '42501';
        end if;
        return new;
      end $$;
      create trigger audit_events_append_only before update or delete on audit_events for each row execute function audit_refuse_change();
      create trigger audit_events_no_truncate before truncate on audit_events for each statement execute function audit_refuse_change();
      create trigger audit_anchor_no_delete before delete on audit_anchor for each row execute function audit_refuse_change();
      create trigger audit_anchor_no_truncate before truncate on audit_anchor for each statement execute function audit_refuse_change();
      create trigger audit_anchor_forward before update on audit_anchor for each row execute function audit_anchor_forward_only();
      revoke update, delete, truncate on audit_events from public;
      revoke delete, truncate on audit_anchor from public;
    `).execute(db);
  } else {
    for (const statement of [
      `create trigger audit_events_no_update before update on audit_events begin select raise(abort, 'the audit trail is append-only: UPDATE refused'); end`,
      `create trigger audit_events_no_delete before delete on audit_events begin select raise(abort, 'the audit trail is append-only: DELETE refused'); end`,
      `create trigger audit_anchor_no_delete before delete on audit_anchor begin select raise(abort, 'the audit anchor cannot be deleted'); end`,
      `create trigger audit_anchor_forward before update on audit_anchor when new.last_seq < old.last_seq or new.event_count < old.event_count or new.id <> old.id begin select raise(abort, 'the audit anchor only moves forward'); end`,
    ]) {
      await sql.raw(statement).execute(db);
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql.raw(`
      drop trigger if exists audit_events_append_only on audit_events;
      drop trigger if exists audit_events_no_truncate on audit_events;
      drop function if exists audit_refuse_change() cascade;
      drop function if exists audit_anchor_forward_only() cascade;
    `).execute(db);
  } else {
    for (const name of ['audit_events_no_update', 'audit_events_no_delete']) await sql.raw(`drop trigger if exists ${name}`).execute(db);
  }
  await db.schema.dropTable('audit_anchor').ifExists().execute();
  await db.schema.dropTable('access_notifications').ifExists().execute();
}
