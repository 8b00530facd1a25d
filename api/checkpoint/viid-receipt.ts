/** What a GA/T 1400 receiver said about a notification, read from its ResponseStatusListObject. */
export interface ViidReceipt {
  delivered: boolean;
  /** The first non-zero StatusCode, 0 when every entry was 0, null when the body carried no status at all. */
  statusCode: number | null;
  reason: string | null;
}

/**
 * A notification counts as delivered only when the receiver answered 2xx AND a ResponseStatusListObject (or
 * a single ResponseStatusObject: some receivers send one for a batch) whose every entry has StatusCode 0.
 * A 200 with StatusCode ≠ 0, or with no entry at all (a receiver that dropped a SubscribeID it does not
 * know answers an empty list), is a failed delivery and is retried.
 */
export function readViidReceipt(httpStatus: number, text: string): ViidReceipt {
  if (httpStatus < 200 || httpStatus >= 300) return { delivered: false, statusCode: null, reason: `receiver answered HTTP ${httpStatus}` };
  let body: any;
  try { body = JSON.parse(text); } catch { return { delivered: false, statusCode: null, reason: 'receiver answered no JSON ResponseStatusListObject' }; }
  const list = body?.ResponseStatusListObject?.ResponseStatusObject ?? body?.ResponseStatusObject;
  const entries: any[] = Array.isArray(list) ? list : list && typeof list === 'object' ? [list] : [];
  if (entries.length === 0) return { delivered: false, statusCode: null, reason: 'receiver answered no ResponseStatusObject (notification dropped)' };
  for (const entry of entries) {
    const code = Number(entry?.StatusCode);
    if (!Number.isInteger(code)) return { delivered: false, statusCode: null, reason: 'receiver answered a StatusCode that is not a number' };
    if (code !== 0) return { delivered: false, statusCode: code, reason: `receiver answered StatusCode ${code}${entry.StatusString ? ` (${String(entry.StatusString).slice(0, 100)})` : ''}` };
  }
  return { delivered: true, statusCode: 0, reason: null };
}
