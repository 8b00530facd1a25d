import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/** Departments, users, cameras, access requests, grants and the audit trail. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('departments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('is_government', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('duty_officer', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('cameras')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision')
    .addColumn('lon', 'double precision')
    .addColumn('address', 'text')
    .addColumn('stream_url', 'text', (c) => c.notNull())
    .addColumn('sub_stream_url', 'text')
    .addColumn('snapshot_url', 'text')
    .addColumn('onvif_xaddr', 'text')
    .addColumn('credentials_enc', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('unknown'))
    .addColumn('last_seen_at', 'bigint')
    .addColumn('status_changed_at', 'bigint')
    .addColumn('ptz', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('analytics_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cameras_department_idx').on('cameras').columns(['department_id', 'category']).execute();

  await db.schema
    .createTable('access_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('requester_user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('requester_department_id', 'text', (c) => c.notNull().references('departments.id'))
    .addColumn('owner_department_id', 'text', (c) => c.notNull().references('departments.id'))
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('camera_ids', 'text')
    .addColumn('category', 'text')
    .addColumn('area', 'text')
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('legal_basis', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('decision_reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_requests_owner_idx').on('access_requests').columns(['owner_department_id', 'status']).execute();

  await db.schema
    .createTable('grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.references('access_requests.id'))
    .addColumn('grantee_department_id', 'text', (c) => c.notNull().references('departments.id'))
    .addColumn('owner_department_id', 'text', (c) => c.notNull().references('departments.id'))
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('camera_ids', 'text')
    .addColumn('category', 'text')
    .addColumn('area', 'text')
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('ends_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_by', 'text')
    .addColumn('revoke_reason', 'text')
    .addColumn('emergency', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('emergency_reason', 'text')
    .addColumn('reviewed_at', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('grants_pair_idx').on('grants').columns(['grantee_department_id', 'owner_department_id', 'ends_at']).execute();

  const seqColumn = isPostgres(db) ? 'bigserial' : 'integer';
  await db.schema
    .createTable('audit_events')
    .addColumn('seq', seqColumn as 'integer', (c) => (isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('username', 'text')
    .addColumn('department_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('client_ip', 'text')
    .addColumn('details', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_at_idx').on('audit_events').column('at').execute();
  await db.schema.createIndex('audit_events_target_idx').on('audit_events').columns(['target_type', 'target_id', 'at']).execute();
  await db.schema.createIndex('audit_events_department_idx').on('audit_events').columns(['department_id', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['audit_events', 'grants', 'access_requests', 'cameras', 'users', 'departments']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
