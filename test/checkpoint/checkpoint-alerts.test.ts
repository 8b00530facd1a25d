import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { webhookSecretOf } from '../../api/checkpoint/checkpoint-feature.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '../../api/checkpoint/webhook-delivery.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub, type TestUser } from '../helpers/test-hub.ts';
import { addCamera, pass } from './checkpoint-fixtures.ts';

interface Received { path: string; headers: IncomingMessage['headers']; body: string; status: number }

/** A real webhook receiver on loopback: answers 500 to the first `failFirst` posts of each alert delivery, then 200. */
async function startReceiver(failFirst: number) {
  const received: Received[] = [];
  const alertPosts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      const delivery = String(req.headers[DELIVERY_HEADER]);
      const tries = alertPosts.get(delivery) ?? 0;
      alertPosts.set(delivery, tries + 1);
      const failing = req.url === '/alerts' && tries < failFirst;
      const status = failing ? 500 : 200;
      received.push({ path: req.url ?? '', headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

/** Reads an SSE response with fetch streaming; next() resolves with the next `event: alert` payload. */
function openStream(t: TestHub, user: TestUser) {
  const controller = new AbortController();
  const ready = fetch(`${t.url}/api/v1/checkpoint/alerts/stream`, { headers: { authorization: `Bearer ${user.token}` }, signal: controller.signal });
  let buffer = '';
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const decoder = new TextDecoder();
  const next = async (): Promise<any | 'ended'> => {
    reader ??= (await ready).body!.getReader();
    for (;;) {
      const boundary = buffer.indexOf('\n\n');
      if (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (block.includes('event: alert') && data) return JSON.parse(data.slice(6));
        continue;
      }
      const { value, done } = await reader.read();
      if (done) return 'ended';
      buffer += decoder.decode(value, { stream: true });
    }
  };
  return { ready, next, close: () => controller.abort() };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeEachDatabase('checkpoint watchlist alerts', (kind) => {
  let t: TestHub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let trafficCam: string;
  let psCam: string;

  beforeAll(async () => {
    receiver = await startReceiver(2);
    t = await startTestHub(kind, {
      overrides: { checkpoint: { alertWebhookUrl: `${receiver.url}/alerts`, delivery: { pollMs: 50, initialDelayMs: 50, maxDelayMs: 200 } } },
    });
    trafficCam = await addCamera(t, t.departments.traffic);
    psCam = await addCamera(t, t.departments.ps, { category: 'public_security' });
  });
  afterAll(async () => {
    await t?.stop();
    await receiver?.close();
  });

  it('alerts over SSE to users who may see the camera and over a signed webhook that recovers from failures', async () => {
    const trafficStream = openStream(t, t.users.trafficViewer);
    const psStream = openStream(t, t.users.psViewer);
    expect((await trafficStream.ready).headers.get('content-type')).toContain('text/event-stream');
    await psStream.ready;
    await until(async () => ((t.hub.ctx.events.listenerCount('checkpoint.alert') >= 2) ? true : undefined), 'streams subscribed');

    const created = await t.api('/api/v1/checkpoint/watchlist', {
      user: t.users.trafficApprover, body: { plate: '京N7*', matchKind: 'pattern', reason: 'stolen vehicle case 2024-117', validUntil: Date.now() + 3_600_000 },
    });
    expect(created.status).toBe(201);
    expect((await t.api('/api/v1/checkpoint/watchlist', { user: t.users.trafficViewer, body: { plate: '京N7*', matchKind: 'pattern', reason: 'x'.repeat(5), validUntil: Date.now() + 1_000 } })).status).toBe(403);
    // security #1: alerts go to the watchlist's department only, so ps watches its own plate to get an alert on its camera
    // (before the fix, ps received traffic's alert, with traffic's reason, on a ps camera traffic cannot even see).
    expect((await t.api('/api/v1/checkpoint/watchlist', { user: t.users.psApprover, body: { plate: '京N70002', matchKind: 'exact', reason: 'ps case 2024-200', validUntil: Date.now() + 3_600_000 } })).status).toBe(201);

    const now = Date.now();
    await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [pass(trafficCam, '京N70001', now), pass(trafficCam, '京A11111', now)] } });
    await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [pass(psCam, '京N70002', now + 1)] } });

    const trafficAlert = await trafficStream.next();
    expect(trafficAlert).toMatchObject({ plate: '京N70001', cameraId: trafficCam, reason: 'stolen vehicle case 2024-117', watchlistId: created.body.id });
    // The ps user may not see the traffic camera: their first alert is the one on their own camera.
    expect((await psStream.next()).plate).toBe('京N70002');

    const delivered = await until(async () => receiver.received.find((r) => r.status === 200 && r.path === '/alerts' && JSON.parse(r.body).alert.plate === '京N70001'), 'webhook delivery');
    const attempts = receiver.received.filter((r) => r.headers[DELIVERY_HEADER] === delivered.headers[DELIVERY_HEADER]);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    const secret = webhookSecretOf(t.hub.ctx.config);
    expect(verifyWebhookSignature(secret, String(delivered.headers[TIMESTAMP_HEADER]), delivered.body, String(delivered.headers[SIGNATURE_HEADER]))).toBe(true);
    // The receiver saw the 200 before the hub wrote it down: wait for the row, not a fixed time.
    const row = await until(async () => {
      const found = await t.hub.ctx.db.selectFrom('checkpoint_deliveries').selectAll().where('id', '=', String(delivered.headers[DELIVERY_HEADER])).executeTakeFirstOrThrow();
      return found.delivered_at === null ? undefined : found;
    }, 'delivery written');
    expect(row.attempts).toBe(3);
    expect(row.delivered_at).not.toBeNull();
    expect(row.last_error).toBeNull();

    trafficStream.close();
    psStream.close();
  });

  it('keeps alerts and records who acknowledged them; audit covers watchlist changes', async () => {
    const list = await t.api('/api/v1/checkpoint/alerts?unacknowledged=true', { user: t.users.trafficViewer });
    expect(list.body.map((a: any) => a.plate)).toEqual(['京N70001']);
    const id = list.body[0].id;
    expect((await t.api(`/api/v1/checkpoint/alerts/${id}/ack`, { user: t.users.psViewer, body: {} })).status).toBe(403);
    const ack = await t.api(`/api/v1/checkpoint/alerts/${id}/ack`, { user: t.users.trafficViewer, body: { note: 'unit 12 dispatched' } });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ acknowledgedBy: t.users.trafficViewer.id, ackNote: 'unit 12 dispatched' });
    expect((await t.api(`/api/v1/checkpoint/alerts/${id}/ack`, { user: t.users.trafficViewer, body: {} })).body.code).toBe('ALERT_ALREADY_ACKNOWLEDGED');
    expect((await t.api('/api/v1/checkpoint/alerts', { user: t.users.trafficViewer })).body).toHaveLength(1);
    expect((await t.api('/api/v1/checkpoint/alerts', { user: t.users.auditor })).status).toBe(403);

    const entry = (await t.api('/api/v1/checkpoint/watchlist', { user: t.users.trafficViewer })).body[0];
    expect((await t.api(`/api/v1/checkpoint/watchlist/${entry.id}`, { method: 'DELETE', user: t.users.psApprover })).status).toBe(403);
    expect((await t.api(`/api/v1/checkpoint/watchlist/${entry.id}`, { method: 'DELETE', user: t.users.trafficApprover })).body.removedAt).toBeGreaterThan(0);
    // Traffic's entry (ps's own entry, added for security #1, has its own watchlist.create).
    const actions = (await t.hub.ctx.db.selectFrom('audit_events').select('action').where('target_type', '=', 'watchlist').where('target_id', '=', entry.id).execute()).map((a) => a.action);
    expect(actions).toEqual(['watchlist.create', 'watchlist.remove']);
    // A removed entry raises nothing more.
    await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [pass(trafficCam, '京N79999', Date.now())] } });
    expect((await t.hub.ctx.db.selectFrom('checkpoint_alerts').select('plate').execute()).map((a) => a.plate).sort()).toEqual(['京N70001', '京N70002']);
  });

  it('pushes new passes to a GA/T 1400 subscription receiver', async () => {
    const bad = await t.api('/api/v1/checkpoint/subscriptions', { user: t.users.admin, body: { subscriber: 's', organisation: 'o', reason: 'ring road study', receiverUrl: 'http://u:p@127.0.0.1/x', beginAt: 0, endAt: Date.now() + 60_000 } });
    expect(bad.body.code).toBe('RECEIVER_URL_CREDENTIALS');
    const sub = await t.api('/api/v1/checkpoint/subscriptions', {
      user: t.users.admin,
      body: { subscriber: 'city brain', organisation: 'Municipal Transport', reason: 'ring road study', receiverUrl: `${receiver.url}/gat1400`, cameraIds: [trafficCam], beginAt: Date.now() - 1_000, endAt: Date.now() + 60_000 },
    });
    expect(sub.status).toBe(201);
    expect((await t.api('/api/v1/checkpoint/subscriptions', { user: t.users.trafficApprover })).status).toBe(403);
    await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [pass(trafficCam, '苏E12345', Date.now()), pass(psCam, '苏E99999', Date.now())] } });
    const push = await until(async () => receiver.received.find((r) => r.path === '/gat1400'), 'subscription push');
    const notification = JSON.parse(push.body).SubscribeNotificationListObject.SubscribeNotificationObject[0];
    expect(notification.SubscribeID).toBe(sub.body.id);
    expect(notification.MotorVehicleObjectList.MotorVehicleObject.map((v: any) => v.PlateNo)).toEqual(['苏E12345']);
  });

  it('ends open SSE streams when the hub stops', async () => {
    const stream = openStream(t, t.users.trafficViewer);
    await stream.ready;
    await until(async () => (t.hub.ctx.events.listenerCount('checkpoint.alert') >= 1 ? true : undefined), 'stream subscribed');
    const ended = stream.next();
    await t.hub.stop();
    expect(await ended).toBe('ended');
  });
});
