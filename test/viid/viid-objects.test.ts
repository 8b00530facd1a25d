import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { jpegSize } from '../../api/viid/pictures/jpeg-size.ts';
import { colourCode, directionCode, plateClassCode, vehicleClassCode } from '../../api/viid/objects/code-tables.ts';
import { parseMotorVehicle } from '../../api/viid/objects/motor-vehicle-input.ts';
import { toMotorVehicleObject } from '../../api/viid/objects/motor-vehicle-object.ts';
import { imageIdFor, motorVehicleIdFor, nationalIdFor } from '../../api/viid/objects/viid-ids.ts';
import { parseViidTime, viidTime } from '../../api/viid/objects/viid-time.ts';
import type { PassRow } from '../../api/checkpoint/pass-record.ts';
import { vehicleObject } from './viid-peer.ts';

const row = (over: Partial<PassRow> = {}): PassRow => ({
  id: 'cam-1:1714550400000:3', camera_id: 'cam-1', passed_at: Date.UTC(2024, 4, 1, 8), plate: '京A12345', plate_folded: '', plate_colour: 'blue',
  plate_confidence: 0.93, char_confidences: JSON.stringify([0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96]), vehicle_class: 'car', vehicle_colour: 'red',
  lane: 1, direction: null, boxes: JSON.stringify({ vehicle: { x1: 10.4, y1: 20, x2: 300, y2: 200.6 }, frame: { width: 1280, height: 720 } }),
  crop_image_path: '2024-05-01/x-crop.jpg', scene_image_path: '2024-05-01/x-scene.jpg', ingested_at: 0, ...over,
});

describe('GA/T 1400 objects', () => {
  it('IDs are deterministic and of the standard lengths', () => {
    const device = nationalIdFor('32010000', '119', 'cam-1');
    expect(device).toMatch(/^3201000000119[0-9]{7}$/);
    expect(nationalIdFor('32010000', '119', 'cam-1')).toBe(device);
    expect(nationalIdFor('32010000', '119', 'cam-2')).not.toBe(device);
    const source = imageIdFor(device, Date.UTC(2024, 4, 1, 8), 'p:scene');
    expect(source).toMatch(new RegExp(`^${device}0220240501160000[0-9]{5}$`));
    expect(motorVehicleIdFor(source, 'p')).toMatch(new RegExp(`^${source}02[0-9]{5}$`));
  });

  it('our own pass becomes a conformant MotorVehicleObject', () => {
    const o = toMotorVehicleObject(row(), { nationalId: null, civilCode: '32010000', imageUrl: (id, kind) => `https://hub.example/i/${id}/${kind}` });
    expect(o.DeviceID).toHaveLength(20);
    expect(o.SourceID).toHaveLength(41);
    expect(o.MotorVehicleID).toHaveLength(48);
    expect(o).toMatchObject({ PassTime: '20240501160000', HasPlate: '1', PlateNo: '京A12345', PlateColor: '5', PlateClass: '02', VehicleClass: 'K33', VehicleColor: '4', LaneNo: 1, LeftTopX: 10, RightBtmY: 201, PlateReliability: '93' });
    expect(o.PlateCharReliability).toBe('京-90,A-91,1-92,2-93,3-94,4-95,5-96');
    expect(o.SubImageList!.SubImageInfoObject.map((i) => [i.Type, i.ImageID.length, i.StoragePath])).toEqual([
      ['14', 41, 'https://hub.example/i/cam-1:1714550400000:3/scene'], ['02', 41, 'https://hub.example/i/cam-1:1714550400000:3/crop'],
    ]);
    expect(o.SubImageList!.SubImageInfoObject[0]!.ImageID).toBe(o.SourceID);
    const noPlate = toMotorVehicleObject(row({ plate: '', plate_colour: 'unknown', char_confidences: '[]', crop_image_path: null }), { nationalId: '32010000001190000001', civilCode: '32010000', imageUrl: () => undefined });
    expect(noPlate).toMatchObject({ DeviceID: '32010000001190000001', HasPlate: '0', PlateColor: '99', PlateClass: '99' });
    expect(noPlate.PlateNo).toBeUndefined();
  });

  it('code tables', () => {
    expect([colourCode('white'), colourCode('yellow_green'), colourCode(null)]).toEqual(['2', '99', '99']);
    expect([vehicleClassCode('bus'), vehicleClassCode('truck'), vehicleClassCode('bicycle'), vehicleClassCode('H11')]).toEqual(['K11', 'H20', 'X99', 'H11']);
    expect([directionCode('north_to_south'), directionCode('7'), directionCode('sideways')]).toEqual(['4', '7', '9']);
    expect([plateClassCode('京A1234警', 'white'), plateClassCode('粤B12345', 'yellow'), plateClassCode('苏AD12345', 'green')]).toEqual(['23', '01', '52']);
  });

  it('times are China time; impossible dates and other forms are refused', () => {
    expect(viidTime(Date.UTC(2024, 11, 31, 16, 0, 1))).toBe('20250101000001');
    expect(parseViidTime('20250101000001', 'T')).toBe(Date.UTC(2024, 11, 31, 16, 0, 1));
    expect(parseViidTime('20250101000001500', 'T')).toBe(Date.UTC(2024, 11, 31, 16, 0, 1, 500));
    expect(parseViidTime(1714550400000, 'T')).toBe(1714550400000);
    for (const bad of ['20250231120000', '2025-01-01 00:00:00', '202501010000', '', null]) expect(() => parseViidTime(bad, 'T')).toThrow();
  });

  it('reads a pushed object: HasPlate as string or boolean, no-plate texts, bare SubImage arrays', () => {
    const base = vehicleObject('32010000001190000101', Date.UTC(2024, 4, 1, 8));
    expect(parseMotorVehicle({ ...base, HasPlate: true }).plate).toBe('苏A12345');
    expect(parseMotorVehicle({ ...base, HasPlate: false }).plate).toBe('');
    expect(parseMotorVehicle({ ...base, HasPlate: undefined, PlateNo: '未识别' }).plate).toBe('');
    const bare = parseMotorVehicle({ ...base, SubImageList: [{ Type: '02', Data: 'AAAA' }, { Type: '01', StoragePath: 'http://x.example/1.jpg' }] });
    expect(bare.crop).toEqual({ data: 'AAAA' });
    expect(bare.scene).toEqual({ url: 'http://x.example/1.jpg' });
    expect(() => parseMotorVehicle({ ...base, HasPlate: 'maybe' })).toThrow(/HasPlate/);
    expect(() => parseMotorVehicle({ ...base, DeviceID: '123' })).toThrow(/DeviceID/);
    expect(() => parseMotorVehicle({ ...base, LaneNo: 100 })).toThrow(/LaneNo/);
    expect(() => parseMotorVehicle({ ...base, PlateNo: '京A1;drop' })).toThrow(/PlateNo/);
  });

  it('reads a JPEG\'s size from its header; refuses what is not one', async () => {
    const jpeg = await sharp({ create: { width: 123, height: 45, channels: 3, background: '#808080' } }).jpeg({ progressive: true }).toBuffer();
    expect(jpegSize(jpeg)).toEqual({ width: 123, height: 45 });
    const claimed = Buffer.from(jpeg);
    const sof = claimed.indexOf(Buffer.from([0xff, 0xc2]));
    claimed.writeUInt16BE(65_000, sof + 5);
    claimed.writeUInt16BE(65_000, sof + 7);
    expect(jpegSize(claimed)).toEqual({ width: 65_000, height: 65_000 });
    expect(jpegSize(jpeg.subarray(0, 20))).toBeUndefined();
    expect(jpegSize(Buffer.from('not a jpeg at all'))).toBeUndefined();
  });
});
