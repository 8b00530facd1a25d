import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { relayOf, until } from '../relay/relay-fixtures.ts';
import { clipUnits, startGbHub, startSimDevice, gbOf } from '../gb28181/gb-fixtures.ts';
import { recordFault } from './fault-table.ts';

/** GB/T 28181 media faults: a device that answers INVITE and sends nothing, garbage PS inside valid RTP. */
describe('GB/T 28181 media faults: silent device, garbage PS', () => {
  let t: TestHub;
  let silent: SimGbDevice;
  let noisy: SimGbDevice;
  const cameraOf = async (deviceId: string) => {
    await t.api(`/api/v1/gb28181/devices/${deviceId}`, { method: 'PATCH', user: t.users.admin, body: { departmentId: t.departments.ps } });
    return until(`camera of ${deviceId}`, async () => (await t.hub.ctx.cameras.findByNationalId(`${deviceId.slice(0, 10)}131${deviceId.slice(13, 14)}000001`))?.id);
  };

  beforeAll(async () => {
    t = await startGbHub('sqlite');
    silent = await startSimDevice(t, '34020000001181000031', 1, { silent: true });
    noisy = await startSimDevice(t, '34020000001182000032', 1, { units: await clipUnits() });
  }, 60_000);
  afterAll(async () => {
    silent?.kill();
    noisy?.kill();
    await t?.stop();
  });

  it('a device that ACKs and sends nothing is hung up on and called again, each time after the RTP timeout and a backoff', async () => {
    const camera = await cameraOf(silent.id);
    const lease = await relayOf(t).lease(camera, 'fault-test');
    const started = Date.now();
    const inviteTimes: number[] = [];
    await until('three INVITEs', () => {
      if (silent.invites > inviteTimes.length) inviteTimes.push(Date.now());
      return silent.invites >= 3;
    }, 45_000, 50);
    expect(silent.byes).toBeGreaterThanOrEqual(2);
    // rtpTimeoutSeconds = 3, then backoff 1 s, 2 s … (with jitter): each gap is at least the timeout.
    for (let i = 1; i < inviteTimes.length; i++) expect(inviteTimes[i]! - inviteTimes[i - 1]!).toBeGreaterThanOrEqual(3_000);
    lease.release();
    await until('call ended after the lease', () => gbOf(t).feeds.running().length === 0, 20_000);
    recordFault({ fault: 'GB28181 device ACKs the INVITE and sends nothing', expected: 0, found: 0, duplicates: 0, recoverySeconds: (Date.now() - started) / 1_000, note: `${silent.invites} INVITEs, ${silent.byes} BYEs` });
  });

  it('garbage PS in RTP with the right SSRC does not stop the stream', async () => {
    const camera = await cameraOf(noisy.id);
    const lease = await relayOf(t).acquire(camera, 'fault-test');
    const [target] = noisy.streamTargets();
    const session = gbOf(t).feeds.running().find((s) => s.channel.deviceId === noisy.id)!;
    const socket = createSocket('udp4');
    for (let i = 0; i < 300; i++) {
      const packet = Buffer.alloc(1_212, (i * 37) & 0xff);
      packet[0] = 0x80; packet[1] = 96; packet.writeUInt16BE((i * 7919) & 0xffff, 2); packet.writeUInt32BE(target!.ssrc >>> 0, 8);
      socket.send(packet, target!.port, target!.host);
    }
    socket.close();
    const stream = relayOf(t).stream(camera)!;
    const restarts = stream.restarts;
    const segments = await until('playlist', () => stream.hasPlaylist, 20_000);
    expect(segments).toBe(true);
    const packets = session.rtp.packets;
    await until('stream goes on after the garbage', () => session.rtp.packets > packets + 100, 20_000);
    expect(stream.restarts - restarts).toBeLessThanOrEqual(1);
    lease.release();
  });
});
