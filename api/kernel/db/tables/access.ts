/** Tables owned by the access feature (migration 0003_access). */

/** In-hub notifications per user (request decided, grant revoked or expired, emergency to review). */
export interface AccessNotificationsTable {
  id: string;
  user_id: string;
  kind: 'request.created' | 'request.approved' | 'request.rejected' | 'request.cancelled' | 'grant.revoked' | 'grant.expired' | 'grant.emergency' | 'grant.reviewed';
  message: string;
  request_id: string | null;
  grant_id: string | null;
  created_at: number;
  read_at: number | null;
}

/**
 * The audit chain's tamper-evident anchor: one row ('chain') holding the last appended seq and hash,
 * written in the same transaction as each append. Deleting the tail of audit_events leaves the anchor
 * pointing past the end, which `npm run audit:verify` reports. Triggers refuse its deletion and any
 * update that moves it backwards.
 */
export interface AuditAnchorTable {
  id: string;
  last_seq: number;
  last_hash: string;
  event_count: number;
  updated_at: number;
}

export interface AccessTables {
  access_notifications: AccessNotificationsTable;
  audit_anchor: AuditAnchorTable;
}
