import { PassPictures } from '../../api/checkpoint/pass-pictures.ts';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageDeclare } from '../../api/checkpoint/notification-images.ts';
import { deviceCode, TYPE_TOLLGATE_DEVICE, TYPE_VIID_PLATFORM } from '../../devtools/sim/gat1400/viid-codes.ts';
import type { SimulatedTollgateDevice } from '../../devtools/sim/gat1400/simulated-tollgate-device.ts';
import type { SimulatedUpperPlatform } from '../../devtools/sim/gat1400/simulated-upper-platform.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { startRegisteredPeers, type RegisteredPeers } from './registered-peers.ts';

describe('parseImageDeclare', () => {
  it('reads -1 as no pictures, nothing as URLs, a list of type codes as inline data', () => {
    expect(parseImageDeclare('-1')).toEqual({ kind: 'none' });
    expect(parseImageDeclare(null)).toEqual({ kind: 'urls' });
    expect(parseImageDeclare(' ')).toEqual({ kind: 'urls' });
    expect(parseImageDeclare('2, 14')).toEqual({ kind: 'data', types: new Set(['02', '14']) });
    expect(parseImageDeclare('x')).toEqual({ kind: 'urls' });
  });
});

// ResultImageDeclare honoured per subscription: the same pass reaches three subscriptions of one platform
// as inline base64 (02,14), as signed URLs only (nothing declared) and without pictures (-1).
describeEachDatabase('GA/T 1400 notifications and ResultImageDeclare', (kind) => {
  let t: TestHub;
  let device: SimulatedTollgateDevice;
  let platform: SimulatedUpperPlatform;
  let peers: RegisteredPeers | undefined;
  const deviceId = deviceCode('65010000', TYPE_TOLLGATE_DEVICE, 88);
  const platformId = deviceCode('65010000', TYPE_VIID_PLATFORM, 18);

  beforeAll(async () => {
    peers = await startRegisteredPeers(kind, { deviceId, platformId });
    ({ t, device, platform } = peers);
  }, 60_000);

  afterAll(async () => {
    await peers?.stop();
  });

  it('sends base64 Data to who asked for it, fetchable signed URLs otherwise, no pictures for -1', async () => {
    const inline = (await platform.subscribe({ resourceUri: deviceId, reportInterval: 0, resultImageDeclare: '02,14' })).subscribeId;
    const byUrl = (await platform.subscribe({ resourceUri: deviceId, reportInterval: 0, resultImageDeclare: '' })).subscribeId;
    const none = (await platform.subscribe({ resourceUri: deviceId, reportInterval: 0, resultImageDeclare: '-1' })).subscribeId;
    expect((await device.push(1)).accepted).toBe(1);
    await platform.waitFor((received) => [inline, byUrl, none].every((id) => received.some((n) => n.subscribeId === id)), 60_000);
    const vehicleOf = (id: string) => platform.received.find((n) => n.subscribeId === id)!.vehicles[0]!;
    const row = await t.hub.ctx.db.selectFrom('checkpoint_passes').selectAll().where('id', '=', vehicleOf(inline).MotorVehicleID).executeTakeFirstOrThrow();
    // Received pictures are byte ranges of a picture volume; read as the hub reads them.
    expect(row.crop_image_path).toMatch(/^\d{4}-\d{2}-\d{2}\/[0-9a-f]{12}-\d+\.pack#\d+\+\d+$/);
    const stored = (await new PassPictures(join(t.hub.ctx.dataDir, 'images')).read(row.crop_image_path))!;
    expect(stored.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));

    // Inline: the plate crop (02) with the stored bytes as Data.
    const inlineImages = vehicleOf(inline).SubImageList.SubImageInfoObject as Array<Record<string, string>>;
    expect(inlineImages.map((i) => i.Type)).toContain('02');
    expect(Buffer.from(inlineImages.find((i) => i.Type === '02')!.Data!, 'base64')).toEqual(stored);

    // By URL: no Data; the StoragePath is fetched without any login, and only for that picture.
    const urlImages = vehicleOf(byUrl).SubImageList.SubImageInfoObject as Array<Record<string, string>>;
    expect(urlImages.every((i) => i.Data === undefined)).toBe(true);
    const cropUrl = urlImages.find((i) => i.Type === '02')!.StoragePath!;
    const fetched = await fetch(cropUrl);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(stored);
    expect((await fetch(cropUrl.replace('/crop?', '/scene?'))).status).toBe(403);
    expect((await fetch(cropUrl.replace(/sig=[^&]+/, 'sig=AAAA'))).status).toBe(403);
    expect((await fetch(cropUrl.replace(/expires=\d+/, `expires=${Date.now() + 10 * 86_400_000}`))).status).toBe(403);

    // -1: no pictures in the notification (the object still names them by URL, as StorageUrl fields).
    expect(vehicleOf(none).SubImageList).toBeUndefined();
    expect(vehicleOf(none).MotorVehicleID).toBe(row.id);
  });
});
