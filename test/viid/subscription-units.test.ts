import { describe, expect, it } from 'vitest';
import { ImageUrlSigner } from '../../api/checkpoint/image-url-signer.ts';
import { readViidReceipt } from '../../api/checkpoint/viid-receipt.ts';
import { parseSubscribeObject, subscribeObjects } from '../../api/viid/subscriptions/subscribe-object.ts';

const NOW = Date.UTC(2026, 0, 1, 0, 0, 0);
const base = { SubscribeID: '650100000000032026010108000000001', SubscribeDetail: '13', BeginTime: '20260101080000', EndTime: '20260102080000', ReceiveAddr: 'http://10.0.0.9:8080/VIID/SubscribeNotifications' };

describe('SubscribeObject', () => {
  it('reads the standard fields; times are China time', () => {
    const parsed = parseSubscribeObject({ ...base, ResourceURI: '65010000001190000001,65010000001190000002', ReportInterval: '5', Title: '过车', OperateType: '0' }, NOW);
    expect(parsed).toMatchObject({ subscribeId: base.SubscribeID, detail: '13', resourceIds: ['65010000001190000001', '65010000001190000002'], reportInterval: 5, operateType: 0, title: '过车' });
    expect(parsed.beginAt).toBe(NOW); // 08:00 in Shanghai is 00:00 UTC
    expect(parsed.endAt - parsed.beginAt).toBe(86_400_000);
  });

  it('a cancel needs only the SubscribeID', () => {
    expect(parseSubscribeObject({ SubscribeID: 'A1', OperateType: 1 }, NOW)).toMatchObject({ subscribeId: 'A1', operateType: 1 });
  });

  it.each([
    [{ SubscribeID: '' }, /SubscribeID/],
    [{ SubscribeDetail: '3,5' }, /serves 13/],
    [{ SubscribeDetail: 'cars' }, /category codes/],
    [{ ResourceURI: '6501' }, /20-digit/],
    [{ BeginTime: '2026-01-01' }, /BeginTime/],
    [{ EndTime: '20260101070000' }, /after BeginTime/],
    [{ ReceiveAddr: 'http://user:pw@10.0.0.9/x' }, /user:password/],
    [{ ReportInterval: -1 }, /ReportInterval/],
    [{ OperateType: 7 }, /OperateType/],
  ])('refuses %j', (change, message) => {
    expect(() => parseSubscribeObject({ ...base, ...change }, NOW)).toThrow(message);
  });

  it('accepts a single object instead of a list, and refuses more than 100', () => {
    expect(subscribeObjects({ SubscribeListObject: { SubscribeObject: base } })).toHaveLength(1);
    expect(() => subscribeObjects({ SubscribeListObject: { SubscribeObject: Array(101).fill(base) } })).toThrow(/at most 100/);
    expect(() => subscribeObjects({ SubscribeObject: [base] })).toThrow(/SubscribeListObject/);
  });
});

describe('notification receipts', () => {
  it('counts a delivery only when every entry says 0', () => {
    expect(readViidReceipt(200, JSON.stringify({ ResponseStatusListObject: { ResponseStatusObject: [{ StatusCode: 0 }, { StatusCode: '0' }] } })).delivered).toBe(true);
    expect(readViidReceipt(200, JSON.stringify({ ResponseStatusListObject: { ResponseStatusObject: [{ StatusCode: 0 }, { StatusCode: 2 }] } }))).toMatchObject({ delivered: false, statusCode: 2 });
    expect(readViidReceipt(500, JSON.stringify({ ResponseStatusObject: { StatusCode: 0 } })).delivered).toBe(false);
    expect(readViidReceipt(200, JSON.stringify({ ResponseStatusObject: { StatusCode: 'OK' } })).delivered).toBe(false);
  });
});

describe('signed image URLs', () => {
  const signer = new ImageUrlSigner('a-token-secret-of-at-least-32-characters', () => 'http://hub', 60_000);
  const parse = (url: string) => {
    const u = new URL(url);
    return { expires: Number(u.searchParams.get('expires')), sig: u.searchParams.get('sig')! };
  };

  it('verifies its own URL until it expires, for that pass and kind only', () => {
    const url = signer.url('p-1', 'crop', NOW);
    expect(url).toMatch(/^http:\/\/hub\/api\/v1\/checkpoint\/images\/p-1\/crop\?expires=\d+&sig=/);
    const { expires, sig } = parse(url);
    expect(signer.verify('p-1', 'crop', expires, sig, NOW + 1_000)).toBe(true);
    expect(signer.verify('p-1', 'crop', expires, sig, NOW + 61_000)).toBe(false);
    expect(signer.verify('p-2', 'crop', expires, sig, NOW)).toBe(false);
    expect(signer.verify('p-1', 'scene', expires, sig, NOW)).toBe(false);
    expect(signer.verify('p-1', 'crop', expires + 3_600, sig, NOW)).toBe(false);
    const other = new ImageUrlSigner('another-token-secret-of-32-characters!!', () => 'http://hub', 60_000);
    expect(other.verify('p-1', 'crop', expires, sig, NOW)).toBe(false);
  });
});
