import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginFrom } from '../helpers/login-from.ts';
import { startTestHub, TEST_PASSWORD, type TestHub } from '../helpers/test-hub.ts';
import { recordFault } from './fault-table.ts';
import { LoopDelay } from './loop-delay.ts';

const CLIENTS = 50;
const REQUEST_TIMEOUT_SECONDS = 3;

interface SlowClient {
  socket: Socket;
  received: () => string;
  /** Seconds from connect until the hub closed the connection. */
  closed: Promise<number>;
  trickle: NodeJS.Timeout;
}

/** A login whose headers arrive at once and whose body then trickles one byte per second. */
function slowLogin(port: number, localAddress: string): Promise<SlowClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { data += chunk; });
    socket.once('error', reject);
    socket.once('connect', () => {
      const startedAt = Date.now();
      const closed = new Promise<number>((done) => socket.on('close', () => done((Date.now() - startedAt) / 1000)));
      const body = JSON.stringify({ username: 'admin', password: 'x'.repeat(200) });
      socket.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      let sent = 0;
      const trickle = setInterval(() => { if (!socket.destroyed && sent < body.length) socket.write(body[sent++]!); }, 1_000);
      resolve({ socket, received: () => data, closed, trickle });
    });
  });
}

/**
 * Issue 13 #6 as a fault: 50 clients open POST /auth/login and trickle its body one byte per second (the
 * body alone would take minutes). Every one must be cut with 408 within the configured request timeout
 * (plus Node's check interval, a quarter of it), while the event loop stays responsive (p99 delay < 100 ms)
 * and a normal login from another address still answers.
 */
describe('slow login bodies', () => {
  let t: TestHub;
  let port: number;
  const clients: SlowClient[] = [];
  beforeAll(async () => {
    t = await startTestHub('sqlite', { features: ['auth', 'directory', 'audit'], overrides: { http: { requestTimeoutSeconds: REQUEST_TIMEOUT_SECONDS, headersTimeoutSeconds: REQUEST_TIMEOUT_SECONDS } } });
    port = Number(new URL(t.url).port);
  });
  afterAll(async () => {
    for (const client of clients) { clearInterval(client.trickle); client.socket.destroy(); }
    await t?.stop();
  });

  it('cuts every slow body with 408 within the request timeout; the loop stays responsive; a normal login answers', async () => {
    const loop = new LoopDelay();
    loop.start();
    for (let i = 0; i < CLIENTS; i++) clients.push(await slowLogin(port, `127.0.2.${1 + (i % 10)}`));
    await new Promise((r) => setTimeout(r, 1_000));
    const loginStarted = Date.now();
    const normal = await loginFrom(t, '127.0.2.200', 'admin', TEST_PASSWORD);
    const loginMs = Date.now() - loginStarted;
    const cutAfter = await Promise.all(clients.map((c) => Promise.race([c.closed, new Promise<number>((r) => setTimeout(() => r(Infinity), 30_000))])));
    const delay = loop.stop();
    for (const client of clients) clearInterval(client.trickle);
    const cut408 = clients.filter((c) => /^HTTP\/1\.1 408 /.test(c.received())).length;
    const slowest = Math.max(...cutAfter);
    const bound = REQUEST_TIMEOUT_SECONDS * 1.25 + 2;
    recordFault({
      fault: `slow login bodies: ${CLIENTS} clients trickling POST /auth/login one byte per second (requestTimeoutSeconds ${REQUEST_TIMEOUT_SECONDS})`,
      expected: CLIENTS, found: cutAfter.filter((s) => s <= bound).length, duplicates: 0, recoverySeconds: null,
      note: `sqlite; 408 ${cut408}; cut after ${Math.min(...cutAfter).toFixed(1)}-${slowest.toFixed(1)} s; loop delay p99 ${delay.p99Ms.toFixed(1)} ms, max ${delay.maxMs.toFixed(1)} ms; a normal login meanwhile: ${normal.status} in ${loginMs} ms`,
    });
    expect(cut408).toBe(CLIENTS);
    expect(slowest).toBeLessThanOrEqual(bound);
    expect(delay.p99Ms).toBeLessThan(100);
    expect(normal.status).toBe(200);
  });
});
