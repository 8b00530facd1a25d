import { DomainError } from '../../kernel/errors/domain-error.ts';
import { parseViidTime } from '../objects/viid-time.ts';

/** A SubscribeObject as received, checked: what the subscription row is made of. */
export interface SubscribeRequest {
  subscribeId: string;
  title: string | null;
  detail: string;
  resourceIds: string[];
  applicantName: string | null;
  applicantOrg: string | null;
  beginAt: number;
  endAt: number;
  receiveAddr: string;
  reportInterval: number | null;
  reason: string | null;
  /** 0 subscribe (or change), 1 cancel. */
  operateType: 0 | 1;
  resultImageDeclare: string | null;
}

/** SubscribeDetail categories we serve: 13 = motor vehicles (the hub's 卡口 passes). */
export const SERVED_DETAILS = new Set(['13']);
const SUBSCRIBE_ID = /^[0-9A-Za-z]{1,64}$/;
const MAX_OBJECTS = 100;
const DEVICE_ID = /^[0-9]{20}$/;

const text = (value: unknown, max: number): string | null => {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' && typeof value !== 'number') throw invalid('a text field is not text');
  return String(value).slice(0, max);
};
const invalid = (message: string) => new DomainError('VIID_SUBSCRIBE_INVALID', message);

/** The SubscribeObjects of a SubscribeListObject body (a list, or a single object as some platforms send). */
export function subscribeObjects(body: unknown): unknown[] {
  const inner = (body as { SubscribeListObject?: { SubscribeObject?: unknown } } | undefined)?.SubscribeListObject?.SubscribeObject;
  if (Array.isArray(inner) && inner.length > MAX_OBJECTS) throw invalid(`at most ${MAX_OBJECTS} SubscribeObjects per request`);
  if (Array.isArray(inner)) return inner;
  if (inner && typeof inner === 'object') return [inner];
  throw invalid('the body must be {"SubscribeListObject":{"SubscribeObject":[…]}}');
}

/**
 * Checks one SubscribeObject: the subscriber's own SubscribeID, SubscribeDetail (comma list; 13 must be in
 * it), ResourceURI (comma list of 20-digit device/tollgate IDs, empty = all we may send), BeginTime/EndTime
 * (YYYYMMDDhhmmss China time), ReceiveAddr (http(s) URL), ReportInterval, OperateType. A cancel
 * (OperateType 1) needs only the SubscribeID. Throws VIID_SUBSCRIBE_INVALID with what is wrong.
 */
export function parseSubscribeObject(value: unknown, now = Date.now()): SubscribeRequest {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid('a SubscribeObject must be an object');
  const o = value as Record<string, unknown>;
  const subscribeId = typeof o.SubscribeID === 'string' ? o.SubscribeID.trim() : '';
  if (!SUBSCRIBE_ID.test(subscribeId)) throw invalid('SubscribeID must be 1–64 letters or digits (the standard issues 33)');
  const operate = o.OperateType === undefined || o.OperateType === null || o.OperateType === '' ? 0 : Number(o.OperateType);
  if (operate !== 0 && operate !== 1) throw invalid('OperateType must be 0 (subscribe) or 1 (cancel)');
  const base = { subscribeId, operateType: operate as 0 | 1 };
  if (operate === 1) {
    return { ...base, title: null, detail: '13', resourceIds: [], applicantName: null, applicantOrg: null, beginAt: now, endAt: now, receiveAddr: '', reportInterval: null, reason: null, resultImageDeclare: null };
  }
  const detail = String(o.SubscribeDetail ?? '').split(',').map((d) => d.trim()).filter(Boolean);
  if (detail.length === 0 || !detail.every((d) => /^[0-9]{1,3}$/.test(d))) throw invalid('SubscribeDetail must be a comma list of category codes');
  if (!detail.some((d) => SERVED_DETAILS.has(d))) throw invalid(`SubscribeDetail ${detail.join(',')}: this 视图库 serves 13 (motor vehicles) only`);
  const resourceIds = String(o.ResourceURI ?? '').split(/[,;\s]+/).map((id) => id.trim()).filter(Boolean);
  if (resourceIds.length > 10_000) throw invalid('ResourceURI names more than 10,000 devices');
  const bad = resourceIds.find((id) => !DEVICE_ID.test(id));
  if (bad !== undefined) throw invalid(`ResourceURI entry ${bad.slice(0, 48)} is not a 20-digit device ID`);
  const beginAt = parseTime(o.BeginTime, 'BeginTime');
  const endAt = parseTime(o.EndTime, 'EndTime');
  if (endAt <= beginAt) throw invalid('EndTime must be after BeginTime');
  if (endAt <= now) throw invalid('EndTime is in the past');
  const receiveAddr = typeof o.ReceiveAddr === 'string' ? o.ReceiveAddr.trim() : '';
  let url: URL;
  try { url = new URL(receiveAddr); } catch { throw invalid('ReceiveAddr must be an http(s) URL'); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('ReceiveAddr must be an http(s) URL');
  if (url.username || url.password) throw invalid('ReceiveAddr may not carry user:password');
  if (receiveAddr.length > 500) throw invalid('ReceiveAddr is longer than 500 characters');
  const interval = o.ReportInterval === undefined || o.ReportInterval === null || o.ReportInterval === '' ? null : Number(o.ReportInterval);
  if (interval !== null && (!Number.isInteger(interval) || interval < 0 || interval > 86_400)) throw invalid('ReportInterval must be 0..86400 seconds');
  return {
    ...base, detail: detail.join(','), resourceIds, beginAt, endAt, receiveAddr: url.toString(), reportInterval: interval,
    title: text(o.Title, 200), applicantName: text(o.ApplicantName, 200), applicantOrg: text(o.ApplicantOrg, 200),
    reason: text(o.Reason, 500), resultImageDeclare: text(o.ResultImageDeclare, 32),
  };
}

function parseTime(value: unknown, field: string): number {
  try {
    return parseViidTime(value, field);
  } catch (cause) {
    throw new DomainError('VIID_SUBSCRIBE_INVALID', `${field} must be YYYYMMDDhhmmss`, { cause });
  }
}
