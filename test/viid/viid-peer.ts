import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

export interface PeerReply {
  status: number;
  body: any;
  headers: Headers;
}

/**
 * A GA/T 1400 peer for tests, written from the standard (RFC 2617 digest, User-Identify, VIID+JSON), not from
 * the hub's code: it registers with a digest answer it computes itself and then sends as a device would.
 */
export class TestViidPeer {
  lastAuthorization = '';

  constructor(readonly baseUrl: string, readonly id: string, readonly password: string) {}

  async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<PeerReply> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'user-identify': this.id, ...(body === undefined ? {} : { 'content-type': 'application/VIID+JSON;charset=UTF-8' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  /** Digest `Authorization` for a challenge, computed here: HA1 = MD5(user:realm:pw), HA2 = MD5(method:uri), qop=auth. */
  authorization(challenge: string, method: string, uri: string, password = this.password, nc = '00000001'): string {
    const field = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(challenge)?.[1] ?? '';
    const realm = field('realm');
    const nonce = field('nonce');
    const opaque = field('opaque');
    const cnonce = randomBytes(8).toString('hex');
    const response = md5(`${md5(`${this.id}:${realm}:${password}`)}:${nonce}:${nc}:${cnonce}:auth:${md5(`${method}:${uri}`)}`);
    return `Digest username="${this.id}", realm="${realm}", nonce="${nonce}", uri="${uri}", qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", opaque="${opaque}", algorithm=MD5`;
  }

  /** Register: the first POST draws the 401 challenge, the second answers it. Returns both replies. */
  async register(password = this.password): Promise<{ challenge: PeerReply; answer: PeerReply }> {
    const body = { RegisterObject: { DeviceID: this.id } };
    const challenge = await this.send('POST', '/VIID/System/Register', body);
    const header = challenge.headers.get('www-authenticate') ?? '';
    this.lastAuthorization = this.authorization(header, 'POST', '/VIID/System/Register', password);
    const answer = await this.send('POST', '/VIID/System/Register', body, { authorization: this.lastAuthorization });
    return { challenge, answer };
  }

  keepalive(): Promise<PeerReply> {
    return this.send('POST', '/VIID/System/Keepalive', { KeepaliveObject: { DeviceID: this.id } });
  }

  unregister(): Promise<PeerReply> {
    return this.send('POST', '/VIID/System/UnRegister', { UnRegisterObject: { DeviceID: this.id } });
  }

  push(objects: unknown[]): Promise<PeerReply> {
    return this.send('POST', '/VIID/MotorVehicles', { MotorVehicleListObject: { MotorVehicleObject: objects } });
  }
}

/** China-time `YYYYMMDDhhmmss`, computed independently of the hub. */
export function chinaTime(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

let serial = 0;

/** A MotorVehicleObject as a 卡口 camera sends it (48-digit ID from the device ID, time and a serial). */
export function vehicleObject(deviceId: string, at: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  serial = (serial + 1) % 100_000;
  const sourceId = `${deviceId}02${chinaTime(at)}${String(serial).padStart(5, '0')}`;
  return {
    MotorVehicleID: `${sourceId}02${String(serial).padStart(5, '0')}`, InfoKind: 1, SourceID: sourceId, DeviceID: deviceId,
    PassTime: chinaTime(at), HasPlate: '1', PlateNo: '苏A12345', PlateColor: '5', PlateClass: '02', PlateReliability: '92',
    PlateCharReliability: '苏-90,A-91,1-92,2-93,3-94,4-95,5-96', VehicleClass: 'K33', VehicleColor: '2', LaneNo: 2, Direction: '3',
    LeftTopX: 100, LeftTopY: 80, RightBtmX: 500, RightBtmY: 400,
    ...fields,
  };
}

/** A real small JPEG (solid colour) as base64. */
export async function jpegBase64(width = 64, height = 48, colour = { r: 40, g: 90, b: 200 }): Promise<string> {
  return (await sharp({ create: { width, height, channels: 3, background: colour } }).jpeg().toBuffer()).toString('base64');
}

export function subImages(images: Array<{ type: string; data?: string; url?: string; imageId?: string }>) {
  return { SubImageInfoObject: images.map((i) => ({ ImageID: i.imageId ?? '', Type: i.type, FileFormat: 'Jpeg', ...(i.data ? { Data: i.data } : {}), ...(i.url ? { StoragePath: i.url } : {}) })) };
}

/** A PNG whose header claims width × height pixels (a decompression bomb's calling card). */
export function claimedPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(64))), chunk('IEND', Buffer.alloc(0))]);
}

/** Sends headers and then one body byte a second; resolves with what the hub answered. */
export function trickledPush(url: string, peerId: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { data += chunk; });
    socket.once('error', reject);
    let timer: NodeJS.Timeout | undefined;
    socket.once('close', () => { clearInterval(timer); resolve(data); });
    socket.once('connect', () => {
      socket.write(`POST /VIID/MotorVehicles HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Identify: ${peerId}\r\nContent-Type: application/VIID+JSON\r\nContent-Length: 1000\r\n\r\n{`);
      timer = setInterval(() => { if (socket.writable) socket.write(' '); }, 1_000);
      // Read the answer, then let go.
      const giveUp = setTimeout(() => socket.destroy(), 15_000);
      socket.on('data', () => {
        if (!data.includes('}}')) return;
        clearInterval(timer);
        clearTimeout(giveUp);
        socket.destroy();
      });
    });
  });
}

