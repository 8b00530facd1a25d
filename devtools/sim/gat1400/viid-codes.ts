/**
 * The simulator's own reading of GA/T 1400 (parts 3 and 4): ID layouts, the time format, the colour table and
 * status codes. Written from the standard as the public implementations show it (see
 * ../../../../shared/specs/gat1400.md), deliberately not shared with the hub's server code, so the simulator
 * checks the server rather than agreeing with it by construction.
 */

/** `YYYYMMDDhhmmss` in China time (UTC+8), as 卡口 devices stamp their records. */
export function viidTime(epochMs: number): string {
  const d = new Date(epochMs + 8 * 3_600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** 20-digit device/platform code: 8-digit area + 2-digit industry + 3-digit type + 7-digit serial. */
export function deviceCode(area: string, type: string, serial: number, industry = '00'): string {
  if (!/^\d{8}$/.test(area) || !/^\d{2}$/.test(industry) || !/^\d{3}$/.test(type)) throw new RangeError('area 8 digits, industry 2, type 3');
  if (!Number.isInteger(serial) || serial < 0 || serial > 9_999_999) throw new RangeError('serial must be 0..9999999');
  return `${area}${industry}${type}${String(serial).padStart(7, '0')}`;
}

/** Device type 119: 卡口 (checkpoint) capture device; 503: 视图库 platform (the codes the implementations use). */
export const TYPE_TOLLGATE_DEVICE = '119';
export const TYPE_VIID_PLATFORM = '503';

/** SourceID (image id, 41) = DeviceID + `02` + time + 5-digit serial; MotorVehicleID (48) = SourceID + `02` + 5 digits. */
export function sourceId(deviceId: string, epochMs: number, serial: number): string {
  return `${deviceId}02${viidTime(epochMs)}${String(serial % 100_000).padStart(5, '0')}`;
}

export function motorVehicleId(source: string, serial: number): string {
  return `${source}02${String(serial % 100_000).padStart(5, '0')}`;
}

/** SubscribeID (33): 12-digit organisation code + `03` + time + 5-digit serial; the subscriber issues it. */
export function subscribeId(orgCode: string, epochMs: number, serial: number): string {
  if (!/^\d{12}$/.test(orgCode)) throw new RangeError('organisation code must be 12 digits');
  return `${orgCode}03${viidTime(epochMs)}${String(serial % 100_000).padStart(5, '0')}`;
}

/** Colour table shared by PlateColor and VehicleColor. */
export const COLOUR = { black: '1', white: '2', grey: '3', red: '4', blue: '5', yellow: '6', orange: '7', brown: '8', green: '9', other: '99' } as const;

/** ResponseStatusObject.StatusCode values. */
export const STATUS = { OK: 0, OtherError: 1, DeviceBusy: 2, DeviceError: 3, InvalidOperation: 4, InvalidJSONFormat: 7, InvalidJSONContent: 8 } as const;

export const VIID_JSON = 'application/VIID+JSON;charset=UTF-8';

export interface ResponseStatus {
  Id?: string;
  RequestURL?: string;
  StatusCode: number | string;
  StatusString?: string;
  LocalTime?: string;
}

/** A reply's status entries, whether the server sent a list or a single object (both occur in the field). */
export function statusEntries(body: unknown): ResponseStatus[] {
  const root = (body ?? {}) as Record<string, any>;
  const list = root.ResponseStatusListObject?.ResponseStatusObject;
  if (Array.isArray(list)) return list as ResponseStatus[];
  if (list && typeof list === 'object') return [list as ResponseStatus];
  if (root.ResponseStatusObject) return [root.ResponseStatusObject as ResponseStatus];
  return [];
}

export function responseStatus(id: string, url: string, code: number, text: string): ResponseStatus {
  return { Id: id, RequestURL: url, StatusCode: code, StatusString: text, LocalTime: viidTime(Date.now()) };
}
