import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { OutboundUrlGuard } from '../kernel/http/outbound-url.ts';
import { backoffDelay, type BackoffPolicy } from '../kernel/process/backoff.ts';
import { PeriodicTask } from '../kernel/process/periodic-task.ts';
import type { Database } from '../kernel/db/tables/index.ts';
import type { CheckpointDeliveriesTable } from '../kernel/db/tables/checkpoint.ts';
import { readViidReceipt } from './viid-receipt.ts';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
export const TIMESTAMP_HEADER = 'x-hub-timestamp';
export const DELIVERY_HEADER = 'x-hub-delivery';
/** Beyond the post's own timeout, before a claimed message counts as abandoned. */
const CLAIM_MARGIN_MS = 5_000;

/** `sha256=<hex>` over "<timestamp>.<body>": the timestamp is signed so a captured request cannot be replayed later. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): checks the signature in constant time. */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** GA/T 1400 media type of notifications. */
export const VIID_JSON = 'application/VIID+JSON;charset=UTF-8';

export interface DeliverySettings extends BackoffPolicy {
  pollMs: number;
  timeoutMs: number;
  maxAttempts: number;
}

/**
 * Durable delivery of outbound messages: every message is a row first, then a worker posts due rows,
 * retrying with exponential backoff until delivered or maxAttempts is reached. A hub restart resumes where
 * it stopped. Two kinds, one queue: alert webhooks (signed JSON, any 2xx is delivered) and GA/T 1400
 * subscription notifications (`application/VIID+JSON` with our `User-Identify`, delivered only when the
 * receiver's ResponseStatusListObject says StatusCode 0 for everything).
 */
export class WebhookDelivery {
  private readonly task: PeriodicTask<number>;
  private stopped = true;
  private readonly abort = new AbortController();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly secret: string,
    private readonly settings: DeliverySettings,
    private readonly log: Logger,
    /** Every post is checked against it first (issue 13 #9): the receiver's host is resolved again each time. */
    private readonly outbound: OutboundUrlGuard,
    /** Our 20-digit 视图库 ID, the User-Identify of GA/T 1400 notifications. */
    private readonly viidSenderId: () => string = () => '',
  ) {
    this.task = new PeriodicTask({
      run: () => this.runDue(),
      everyMs: settings.pollMs,
      onError: (error) => log.error({ err: error }, 'webhook delivery pass failed'),
    });
  }

  /** `id`: the message's own id when it has one (a GA/T 1400 NotificationID), else a fresh UUID. */
  async enqueue(kind: CheckpointDeliveriesTable['kind'], targetUrl: string, payload: unknown, subscriptionId: string | null = null, id: string = randomUUID(), notBefore?: number): Promise<string> {
    await this.store(this.db, { kind, targetUrl, payload, subscriptionId, id, notBefore });
    this.kick();
    return id;
  }

  /**
   * Stores a message inside the caller's transaction, so it commits with what it tells of (an alert and its
   * webhook are both there or neither); call kick() after the commit.
   */
  async enqueueWithin(trx: Kysely<Database>, kind: CheckpointDeliveriesTable['kind'], targetUrl: string, payload: unknown): Promise<string> {
    const id = randomUUID();
    await this.store(trx, { kind, targetUrl, payload, subscriptionId: null, id });
    return id;
  }

  private async store(db: Kysely<Database>, m: { kind: CheckpointDeliveriesTable['kind']; targetUrl: string; payload: unknown; subscriptionId: string | null; id: string; notBefore?: number }): Promise<void> {
    const now = Date.now();
    await db.insertInto('checkpoint_deliveries').values({
      id: m.id, kind: m.kind, target_url: m.targetUrl, subscription_id: m.subscriptionId, payload: JSON.stringify(m.payload),
      attempts: 0, next_attempt_at: m.notBefore ?? now, last_error: null, delivered_at: null, failed_at: null, created_at: now, status_code: null,
    }).execute();
  }

  /**
   * Adds to the subscription's message that is not due yet and was never tried (a GA/T 1400 notification
   * held for its ReportInterval): `merge` returns the new payload, or undefined when it is full. Moves the
   * due time by 1 ms so that a sender that read the row before this change cannot claim it (its claim is
   * conditional on the due time it read) and post the old payload. False when there is nothing to add to.
   */
  async appendPending(subscriptionId: string, now: number, merge: (payload: string) => string | undefined): Promise<boolean> {
    const pending = await this.db.selectFrom('checkpoint_deliveries').select(['id', 'payload', 'next_attempt_at'])
      .where('subscription_id', '=', subscriptionId).where('attempts', '=', 0).where('delivered_at', 'is', null).where('failed_at', 'is', null)
      .where('next_attempt_at', '>', now).orderBy('next_attempt_at', 'desc').limit(1).executeTakeFirst();
    if (!pending) return false;
    const merged = merge(pending.payload);
    if (merged === undefined) return false;
    const dueAt = Number(pending.next_attempt_at);
    const result = await this.db.updateTable('checkpoint_deliveries').set({ payload: merged, next_attempt_at: dueAt + 1 })
      .where('id', '=', pending.id).where('next_attempt_at', '=', dueAt).where('attempts', '=', 0).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  start(): void {
    this.stopped = false;
    this.task.start(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.task.stop();
  }

  /** Run soon (a new message should not wait a whole poll interval); a pass in flight is left to end first. */
  kick(): void {
    if (!this.stopped) this.task.start(0);
  }

  /** Posts every due message once; returns how many were delivered. */
  async runDue(now = Date.now()): Promise<number> {
    const due = await this.db.selectFrom('checkpoint_deliveries').selectAll()
      .where('delivered_at', 'is', null).where('failed_at', 'is', null).where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at').limit(50).execute();
    let delivered = 0;
    for (const row of due) {
      if (this.stopped) break;
      if (!(await this.claim(row, now))) continue;
      if (await this.attempt(row)) delivered++;
    }
    return delivered;
  }

  /**
   * Takes a due message for this process: moves its next attempt past the post's deadline, on the condition
   * that nobody moved it since it was read. Several hub processes on one database then never post the same
   * message at once, on SQLite and PostgreSQL alike; a process that dies mid-post leaves it due again after
   * the lease (at-least-once, as webhooks are: receivers dedupe on the delivery id header).
   */
  private async claim(row: CheckpointDeliveriesTable, now: number): Promise<boolean> {
    const leaseUntil = Math.max(now, Date.now()) + this.settings.timeoutMs + CLAIM_MARGIN_MS;
    const result = await this.db.updateTable('checkpoint_deliveries').set({ next_attempt_at: leaseUntil })
      .where('id', '=', row.id).where('next_attempt_at', '=', row.next_attempt_at)
      .where('delivered_at', 'is', null).where('failed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  private async attempt(row: CheckpointDeliveriesTable): Promise<boolean> {
    const timestamp = String(Date.now());
    const viid = row.kind !== 'alert';
    let error: string | null = null;
    let statusCode: number | null = null;
    try {
      await this.outbound.check(row.target_url);
      const headers: Record<string, string> = viid
        ? { 'content-type': VIID_JSON, accept: 'application/VIID+JSON, application/json', 'user-identify': this.viidSenderId() }
        : { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signWebhook(this.secret, timestamp, row.payload), [DELIVERY_HEADER]: row.id };
      const response = await fetch(row.target_url, {
        method: 'POST',
        headers,
        body: row.payload,
        // A redirect is a new, unchecked destination.
        redirect: 'error',
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.settings.timeoutMs)]),
      });
      if (viid) {
        const receipt = readViidReceipt(response.status, await readCapped(response, 256 * 1024));
        statusCode = receipt.statusCode;
        error = receipt.reason;
      } else {
        await response.body?.cancel().catch(() => {});
        if (!response.ok) error = `receiver answered ${response.status}`;
      }
    } catch (cause) {
      error = (cause as { code?: string }).code?.startsWith('OUTBOUND_URL') ? `receiver refused: ${(cause as Error).message}` : `receiver unreachable: ${(cause as Error).message}`;
    }
    const attempts = row.attempts + 1;
    const now = Date.now();
    if (error === null) {
      await this.db.updateTable('checkpoint_deliveries').set({ attempts, delivered_at: now, last_error: null, status_code: statusCode }).where('id', '=', row.id).execute();
      return true;
    }
    const giveUp = attempts >= this.settings.maxAttempts;
    this.log.warn({ delivery: row.id, attempts, error, giveUp }, 'webhook delivery failed');
    await this.db.updateTable('checkpoint_deliveries').set({
      attempts, last_error: error, failed_at: giveUp ? now : null, status_code: statusCode,
      next_attempt_at: now + backoffDelay(this.settings, attempts - 1),
    }).where('id', '=', row.id).execute();
    return false;
  }
}

/** The body as text, at most `limit` bytes (a receiver cannot make us buffer without end). */
async function readCapped(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > limit) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
