import { createConnection, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../helpers/test-hub.ts';
import { until } from '../relay/relay-fixtures.ts';
import { GB_PASSWORD, gbOf, startGbHub } from './gb-fixtures.ts';
import { authorizationFor, sipRequest } from './raw-sip-client.ts';

/** Complete SIP messages out of a TCP stream (Content-Length framing), for the test's side. */
function reader(socket: Socket): () => Promise<string> {
  let buffer = '';
  const waiting: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => { buffer += chunk.toString('latin1'); for (const wake of waiting.splice(0)) wake(); });
  return async () => {
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const length = Number(/Content-Length: (\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
        if (buffer.length >= end + 4 + length) {
          const message = buffer.slice(0, end + 4 + length);
          buffer = buffer.slice(end + 4 + length);
          return message;
        }
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
}

describe('GB/T 28181 SIP over TCP', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startGbHub('sqlite');
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('registers a device over TCP and sends it queries back on the same connection', async () => {
    const id = '34020000001180000077';
    const socket = createConnection({ host: '127.0.0.1', port: gbOf(t).server!.port });
    await new Promise((resolve) => socket.once('connect', resolve));
    const next = reader(socket);
    const register = (extra: string[]) => sipRequest('REGISTER', { user: id, port: socket.localPort!, extra: ['Expires: 3600', ...extra], callId: 'tcp-reg' }).replace('SIP/2.0/UDP', 'SIP/2.0/TCP');
    socket.write(register([]));
    const challenge = await next();
    expect(challenge).toMatch(/^SIP\/2\.0 401 /);
    socket.write(register([authorizationFor(challenge, id, GB_PASSWORD)]));
    expect(await next()).toMatch(/^SIP\/2\.0 200 /);
    // The hub asks for DeviceInfo and the catalogue over the device's own connection.
    const query = await next();
    expect(query).toMatch(new RegExp(`^MESSAGE sip:${id}@127\\.0\\.0\\.1:${socket.localPort} SIP/2\\.0\\r\\nVia: SIP/2\\.0/TCP `));
    expect(query).toContain('<CmdType>DeviceInfo</CmdType>');
    const device = await until('device listed as TCP', async () => (await t.api('/api/v1/gb28181/devices', { user: t.users.admin })).body.find((d: { id: string; transport: string }) => d.id === id && d.transport === 'tcp'));
    expect(device.status).toBe('online');
    socket.destroy();
  });
});
