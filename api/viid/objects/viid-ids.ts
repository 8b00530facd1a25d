import { createHash } from 'node:crypto';
import { viidTime } from './viid-time.ts';

/** A 20-digit GA/T 1400 / GB/T 28181 code: 8-digit area, 2-digit industry, 3-digit type, 7-digit serial. */
export const DEVICE_ID = /^[0-9]{20}$/;
/** Image (and SourceID): DeviceID + 2-digit kind + YYYYMMDDhhmmss + 5-digit serial = 41 digits. */
export const IMAGE_ID = /^[0-9]{41}$/;
/** Object IDs (MotorVehicleID): SourceID + 2-digit kind + 5-digit serial = 48 digits. */
export const OBJECT_ID = /^[0-9]{48}$/;

/** Type codes inside a 20-digit ID. */
export const TYPE_CODES = { ape: '119', viidServer: '503' } as const;

/** The industry code we use for our own IDs (00 = public security's social resources, as the samples use). */
const INDUSTRY = '00';

/** A number in [0, modulus) from a key, the same on every run (SHA-256, first 48 bits). */
function serialOf(key: string, modulus: number): number {
  return Number.parseInt(createHash('sha256').update(key).digest('hex').slice(0, 12), 16) % modulus;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A deterministic 20-digit ID: our civil code, industry 00, the type code, a 7-digit serial hashed from `key`. */
export function nationalIdFor(civilCode: string, typeCode: string, key: string): string {
  return `${civilCode}${INDUSTRY}${typeCode}${pad(serialOf(key, 10_000_000), 7)}`;
}

/** Our VIID server ID: configured, or civil code + 00 + 503 + 0000001. */
export function viidServerId(config: { civilCode: string; serverId: string }): string {
  return config.serverId || `${config.civilCode}${INDUSTRY}${TYPE_CODES.viidServer}0000001`;
}

/** Data kind code between a DeviceID and the time inside image and object IDs (02 = 卡口/vehicle data, as the samples use). */
const KIND = '02';

/** The 41-digit image ID of one picture of a pass: device, time, and a serial from the pass id and picture role. */
export function imageIdFor(deviceId: string, at: number, key: string): string {
  return `${deviceId}${KIND}${viidTime(at)}${pad(serialOf(key, 100_000), 5)}`;
}

/** The 48-digit MotorVehicleID of a pass (SourceID = its scene image ID), deterministic from the pass id. */
export function motorVehicleIdFor(sourceId: string, key: string): string {
  return `${sourceId}${KIND}${pad(serialOf(`${key}:object`, 100_000), 5)}`;
}
