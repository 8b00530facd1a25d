import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

const REQUEST_TIMEOUT_SECONDS = 2;
const MAX_CONNECTIONS_PER_IP = 3;

interface RawClient {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves when the hub closes the connection (or the socket fails). */
  closed: Promise<void>;
}

/** A raw TCP client on loopback from a chosen source address (127.0.0.x), so its per-IP count is its own. */
function rawClient(port: number, localAddress: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { data += chunk; });
    const closed = new Promise<void>((done) => { socket.on('close', () => done()); socket.on('error', () => done()); });
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

const healthRequest = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

/** Sends a complete request on an open connection and waits for a full response head. */
async function roundTrip(client: RawClient): Promise<string> {
  const before = client.received().length;
  client.socket.write(healthRequest);
  for (let i = 0; i < 100 && !client.received().slice(before).includes('\r\n\r\n'); i++) await new Promise((r) => setTimeout(r, 20));
  return client.received().slice(before);
}

// Socket behaviour does not depend on the database: SQLite only.
describe('slow and greedy clients', () => {
  let t: TestHub;
  let port: number;
  const clients: RawClient[] = [];
  beforeAll(async () => {
    t = await startTestHub('sqlite', { overrides: { http: { requestTimeoutSeconds: REQUEST_TIMEOUT_SECONDS, headersTimeoutSeconds: REQUEST_TIMEOUT_SECONDS, maxConnectionsPerIp: MAX_CONNECTIONS_PER_IP } } });
    port = Number(new URL(t.url).port);
  });
  afterAll(async () => {
    for (const client of clients) client.socket.destroy();
    await t?.stop();
  });

  it('security #6: a login body trickling one byte per second is cut with 408 within the configured request timeout', async () => {
    const client = await rawClient(port, '127.0.0.41');
    clients.push(client);
    const body = JSON.stringify({ username: 'admin', password: 'trickled password 123456' });
    client.socket.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    let sent = 0;
    const trickle = setInterval(() => { if (!client.socket.destroyed && sent < body.length) client.socket.write(body[sent++]!); }, 1_000);
    // Timeout 2 s + Node's check interval; the body alone would take ~45 s. Generous bound, not a timing assertion.
    const cut = await within(client.closed, 15_000);
    clearInterval(trickle);
    expect(cut, 'the slow body was still open after 15 s').toBe(true);
    expect(sent).toBeLessThan(body.length);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(client.received()).toContain('"code":"REQUEST_TIMEOUT"');
  });

  it('security #6: headers trickling one byte per second are cut too', async () => {
    const client = await rawClient(port, '127.0.0.42');
    clients.push(client);
    const head = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(60);
    let sent = 0;
    const trickle = setInterval(() => { if (!client.socket.destroyed && sent < head.length) client.socket.write(head[sent++]!); }, 1_000);
    const cut = await within(client.closed, 15_000);
    clearInterval(trickle);
    expect(cut, 'the slow headers were still open after 15 s').toBe(true);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('security #6: one address may hold at most maxConnectionsPerIp connections; the next is refused with 429, others are unaffected', async () => {
    const held: RawClient[] = [];
    for (let i = 0; i < MAX_CONNECTIONS_PER_IP; i++) {
      const client = await rawClient(port, '127.0.0.51');
      clients.push(client);
      held.push(client);
      expect(await roundTrip(client), `connection ${i + 1} of ${MAX_CONNECTIONS_PER_IP}`).toMatch(/^HTTP\/1\.1 200 /);
    }
    const extra = await rawClient(port, '127.0.0.51');
    clients.push(extra);
    extra.socket.write(healthRequest);
    expect(await within(extra.closed, 10_000), 'the connection over the cap was not closed').toBe(true);
    expect(extra.received()).toMatch(/^HTTP\/1\.1 429 /);
    expect(extra.received()).toContain('"code":"TOO_MANY_CONNECTIONS"');
    // Another address is not affected.
    const other = await rawClient(port, '127.0.0.52');
    clients.push(other);
    expect(await roundTrip(other)).toMatch(/^HTTP\/1\.1 200 /);
    // A freed slot is usable again.
    held[0]!.socket.destroy();
    await held[0]!.closed;
    let again = '';
    for (let i = 0; i < 20 && !again.startsWith('HTTP/1.1 200'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      const retry = await rawClient(port, '127.0.0.51');
      clients.push(retry);
      again = await roundTrip(retry);
      if (!again.startsWith('HTTP/1.1 200')) retry.socket.destroy();
    }
    expect(again).toMatch(/^HTTP\/1\.1 200 /);
  });
});
