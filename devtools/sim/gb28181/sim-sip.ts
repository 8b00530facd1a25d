import { createHash, randomBytes } from 'node:crypto';

/**
 * The simulator's own small SIP codec (written from RFC 3261 and the GB/T 28181 facts sheet, not from the
 * hub's ingest/gb28181, so the two can disagree and a test notices).
 */
export interface SimSipMessage {
  startLine: string;
  /** [name as sent, value] in order. */
  headers: Array<[string, string]>;
  body: Buffer;
}

export function parseSimSip(data: Buffer): SimSipMessage | undefined {
  const split = data.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const lines = data.subarray(0, split).toString('latin1').split('\r\n');
  const headers = lines.slice(1).map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
  });
  const length = Number(headers.find(([n]) => /^(content-length|l)$/i.test(n))?.[1] ?? data.length - split - 4);
  return { startLine: lines[0]!, headers, body: data.subarray(split + 4, split + 4 + length) };
}

export function header(message: SimSipMessage, name: string): string | undefined {
  return message.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

export function formatSimSip(startLine: string, headers: Array<[string, string]>, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = [startLine, ...headers.filter(([n]) => n.toLowerCase() !== 'content-length').map(([n, v]) => `${n}: ${v}`), `Content-Length: ${body.length}`, '', ''].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** A response echoing the request's Via, From, To (tagged), Call-ID and CSeq. */
export function simResponse(request: SimSipMessage, status: number, reason: string, extra: Array<[string, string]> = [], body?: Buffer, toTag = 'sim'): Buffer {
  const to = header(request, 'To')!;
  const headers: Array<[string, string]> = [
    ...request.headers.filter(([n]) => /^(via|v)$/i.test(n)).map(([, v]): [string, string] => ['Via', v]),
    ['From', header(request, 'From')!], ['To', /;tag=/.test(to) ? to : `${to};tag=${toTag}`],
    ['Call-ID', header(request, 'Call-ID')!], ['CSeq', header(request, 'CSeq')!], ...extra,
  ];
  return formatSimSip(`SIP/2.0 ${status} ${reason}`, headers, body);
}

export const md5 = (text: string) => createHash('md5').update(text).digest('hex');
export const simTag = () => randomBytes(5).toString('hex');
export const simBranch = () => `z9hG4bK${randomBytes(6).toString('hex')}`;

/** The Authorization header answering a `WWW-Authenticate: Digest …` challenge (MD5, qop=auth when offered). */
export function simAuthorization(challenge: string, o: { username: string; password: string; method: string; uri: string }): string {
  const get = (name: string) => new RegExp(`${name}="?([^",]*)"?`, 'i').exec(challenge)?.[1] ?? '';
  const realm = get('realm');
  const nonce = get('nonce');
  const qop = /qop="?auth/i.test(challenge) ? 'auth' : '';
  const ha1 = md5(`${o.username}:${realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  const cnonce = randomBytes(4).toString('hex');
  const response = qop ? md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  const qopPart = qop ? `,qop=auth,cnonce="${cnonce}",nc=00000001` : '';
  return `Digest username="${o.username}",realm="${realm}",nonce="${nonce}",uri="${o.uri}",response="${response}",algorithm=MD5${qopPart}`;
}
