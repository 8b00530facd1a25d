import type { SimGbDeviceOptions } from './sim-gb-device.ts';
import { simRecordItems, simRecordings } from './sim-recordings.ts';

/** What the answers need of the device: its options, its MANSCDP bodies and a MESSAGE to the platform. */
export interface SimAnswering {
  readonly o: SimGbDeviceOptions;
  xml(root: string, fields: Array<[string, string]>, inner?: string): Buffer;
  message(body: Buffer): Promise<unknown>;
}

/** The catalogue in parts of `catalogGroup` items, each part sent after the previous one was 200-OKed. */
export async function sendCatalog(d: SimAnswering, sn: string): Promise<void> {
  const group = d.o.catalogGroup ?? 2;
  const all = d.o.channels;
  for (let at = 0; at < Math.max(all.length, 1); at += group) {
    const items = all.slice(at, at + group).map((c) => `<Item><DeviceID>${c.id}</DeviceID><Name>${c.name}</Name><Manufacturer>SimVendor</Manufacturer>`
      + `<Model>SIM-IPC</Model><Owner>Owner</Owner><CivilCode>${c.civilCode ?? c.id.slice(0, 6)}</CivilCode><Address>${c.address ?? ''}</Address>`
      + `<Parental>0</Parental><ParentID>${d.o.deviceId}</ParentID><SafetyWay>0</SafetyWay><RegisterWay>1</RegisterWay><Secrecy>0</Secrecy>`
      + `<Status>ON</Status>${c.lon !== undefined ? `<Longitude>${c.lon}</Longitude><Latitude>${c.lat}</Latitude>` : ''}`
      + `<Info><PTZType>${c.ptzType ?? 3}</PTZType></Info></Item>`).join('');
    const body = d.xml('Response', [['CmdType', 'Catalog'], ['SN', sn], ['DeviceID', d.o.deviceId], ['SumNum', String(all.length)]],
      `\r\n<DeviceList Num="${Math.min(group, all.length - at)}">${items}</DeviceList>`);
    await d.message(body);
  }
}

/** The channel's presets in one Response (`PresetList` of `PresetID` and `PresetName`, as wvp reads them). */
export async function sendPresets(d: SimAnswering, sn: string, channelId: string): Promise<void> {
  const presets = d.o.presets ?? [{ id: 1, name: '大门' }, { id: 2, name: '停车场入口' }];
  const items = presets.map((p) => `<Item><PresetID>${p.id}</PresetID><PresetName>${p.name}</PresetName></Item>`).join('');
  await d.message(d.xml('Response', [
    ['CmdType', 'PresetQuery'], ['SN', sn], ['DeviceID', channelId], ['SumNum', String(presets.length)]], `\r\n<PresetList Num="${presets.length}">${items}</PresetList>`));
}

/** The channel's recordings (sim-recordings.ts), two items per MESSAGE. */
export async function sendRecords(d: SimAnswering, sn: string, channelId: string, startText: string, endText: string): Promise<void> {
  const records = simRecordings(startText, endText);
  for (let i = 0; i < Math.max(records.length, 1); i += 2) {
    const part = records.slice(i, i + 2);
    await d.message(d.xml('Response', [
      ['CmdType', 'RecordInfo'], ['SN', sn], ['DeviceID', channelId], ['Name', 'Camera'], ['SumNum', String(records.length)]], `\r\n<RecordList Num="${part.length}">${simRecordItems(channelId, part)}</RecordList>`));
  }
}
