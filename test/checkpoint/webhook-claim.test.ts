import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OutboundUrlGuard } from '../../api/kernel/http/outbound-url.ts';
import { DELIVERY_HEADER, WebhookDelivery } from '../../api/checkpoint/webhook-delivery.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

const MESSAGES = 30;
const SETTINGS = { pollMs: 60_000, timeoutMs: 5_000, maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1_000 };

/** A receiver that answers slowly, so that two senders reading the same due rows would overlap. */
async function startSlowReceiver() {
  const posts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers[DELIVERY_HEADER]);
      posts.set(id, (posts.get(id) ?? 0) + 1);
      setTimeout(() => res.writeHead(200).end(), 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, posts,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

// Two hub processes on one database (replicas) share the delivery table: each message is posted once.
describeEachDatabase('webhook delivery shared by two senders', (kind) => {
  let t: TestHub;
  let receiver: Awaited<ReturnType<typeof startSlowReceiver>>;
  beforeAll(async () => {
    t = await startTestHub(kind);
    receiver = await startSlowReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.stop();
  });

  it('posts every due message exactly once when two senders run at the same time', async () => {
    const log = pino({ level: 'silent' });
    const a = new WebhookDelivery(t.hub.ctx.db, 'shared-secret-for-test', SETTINGS, log, new OutboundUrlGuard(['127.0.0.0/8']));
    const b = new WebhookDelivery(t.hub.ctx.db, 'shared-secret-for-test', SETTINGS, log, new OutboundUrlGuard(['127.0.0.0/8']));
    const ids: string[] = [];
    // Queued while both are stopped (no kick), then both start at once and read the same due rows.
    for (let i = 0; i < MESSAGES; i++) ids.push(await a.enqueue('alert', receiver.url, { n: i }));
    a.start();
    b.start();
    try {
      await expect.poll(async () => (await t.hub.ctx.db.selectFrom('checkpoint_deliveries').select('id')
        .where('id', 'in', ids).where('delivered_at', 'is not', null).execute()).length, { timeout: 30_000, interval: 100 }).toBe(MESSAGES);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect([...receiver.posts.keys()].sort()).toEqual([...ids].sort());
    expect([...receiver.posts.values()].filter((count) => count !== 1)).toEqual([]);
  });
});
