import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { HttpDigestGuard } from './http-digest.ts';
import { billionLaughs, malformXml, NON_ONVIF_HTML, oversizeStream, trickle, type OnvifDeviceMode } from './hostile-output.ts';
import { PRE_AUTH_OPERATIONS, runOperation, type PtzCall, type SimDeviceModel } from './onvif-operations.ts';
import { notAuthorized, parseSoapRequest, SoapFault } from './onvif-soap.ts';
import { UsernameTokenVerifier } from './onvif-ws-security.ts';
import { MEDIA_DIR } from './test-clip.ts';
import { WsDiscoveryResponder } from './ws-discovery-responder.ts';

export type { OnvifDeviceMode } from './hostile-output.ts';

export interface OnvifDeviceOptions {
  name: string;
  rtspUrl: string;
  subRtspUrl?: string;
  username: string;
  password: string;
  /** Served at the snapshot URI behind HTTP digest auth; defaults to media/scenes/street_dog_bicycle_car.jpg. */
  snapshotJpeg?: Buffer;
  hardware?: string;
  location?: string;
  /** Also answer probes on 239.255.255.250:3702 (ignored when that port cannot be bound). */
  multicast?: boolean;
  mainResolution?: { width: number; height: number; fps: number };
  subResolution?: { width: number; height: number; fps: number };
  /** The device clock runs this far from the host clock, as cameras without NTP do. */
  clockSkewMs?: number;
  /** HTTP status of a ter:NotAuthorized fault: 400 per the ONVIF spec, 401 on many real cameras. */
  authFaultStatus?: 400 | 401;
}

export interface OnvifDeviceHandle {
  /** http://127.0.0.1:p/onvif/device_service */
  xaddr: string;
  discoveryPort: number;
  httpPort: number;
  username: string;
  password: string;
  /** urn:uuid endpoint reference announced in ProbeMatch. */
  endpointUuid: string;
  multicastJoined: boolean;
  ptzCalls: PtzCall[];
  setMode(mode: OnvifDeviceMode): void;
  stop(): Promise<void>;
}

const MAX_REQUEST_BYTES = 1024 * 1024;
const SOAP_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';

/** A test ONVIF device on loopback: SOAP 1.2 device/media/PTZ services, digest-protected snapshot, WS-Discovery. */
export async function startOnvifDevice(opts: OnvifDeviceOptions): Promise<OnvifDeviceHandle> {
  let mode: OnvifDeviceMode = 'normal';
  const ptzCalls: PtzCall[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const now = () => Date.now() + (opts.clockSkewMs ?? 0);
  const snapshot = opts.snapshotJpeg ?? (await readFile(join(MEDIA_DIR, 'scenes/street_dog_bicycle_car.jpg')));
  const verifier = new UsernameTokenVerifier(opts.username, opts.password, now);
  const digest = new HttpDigestGuard('SimCam', opts.username, opts.password);
  const authFaultStatus = opts.authFaultStatus ?? 400;

  const server = createServer({ requestTimeout: 30_000 });
  server.on('connection', (socket) => {
    if (mode === 'offline') socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const httpPort = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${httpPort}/onvif`;
  const model: SimDeviceModel = {
    name: opts.name,
    hardware: opts.hardware ?? 'SimCam-1080',
    serialNumber: createHash('sha256').update(opts.name).digest('hex').slice(0, 12).toUpperCase(),
    xaddrs: { device: `${base}/device_service`, media: `${base}/media_service`, ptz: `${base}/ptz_service` },
    snapshotUrl: (profileToken) => `${base}/snapshot.jpg?profile=${encodeURIComponent(profileToken)}`,
    profiles: [
      { token: 'main', name: 'MainStream', rtspUrl: opts.rtspUrl, ...(opts.mainResolution ?? { width: 1920, height: 1080, fps: 25 }) },
      { token: 'sub', name: 'SubStream', rtspUrl: opts.subRtspUrl ?? opts.rtspUrl, ...(opts.subResolution ?? { width: 640, height: 360, fps: 15 }) },
    ],
    presets: [
      { token: '1', name: 'Gate' },
      { token: '2', name: 'Parking' },
    ],
    now,
  };

  const answer = (res: ServerResponse, status: number, contentType: string, body: Buffer) => {
    res.statusCode = status;
    res.setHeader('Content-Type', contentType);
    if (mode === 'trickle') {
      res.flushHeaders();
      trickle(res, body, timers);
      return;
    }
    res.setHeader('Content-Length', body.length);
    res.end(body);
  };

  const soapOutput = (xml: string): string => {
    if (mode === 'malformed-xml') return malformXml(xml);
    if (mode === 'doctype-entity') return billionLaughs(xml, /<env:Body><[^>]+>/);
    return xml;
  };

  const handleSoap = (body: string): { status: number; xml: string } => {
    try {
      const request = parseSoapRequest(body);
      if (!PRE_AUTH_OPERATIONS.has(request.operation) && !verifier.verify(request.header).ok) throw notAuthorized(authFaultStatus);
      return { status: 200, xml: runOperation(model, request.operation, request.args, ptzCalls) };
    } catch (error) {
      if (error instanceof SoapFault) return { status: error.httpStatus, xml: error.toXml() };
      const fault = new SoapFault(500, 'env:Receiver', ['ter:Action'], 'internal error');
      return { status: 500, xml: fault.toXml() };
    }
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (mode === 'non-onvif') return answer(res, 200, 'text/html; charset=utf-8', Buffer.from(NON_ONVIF_HTML));
    if (mode === 'oversize') {
      res.writeHead(200, { 'Content-Type': SOAP_CONTENT_TYPE });
      const stream = oversizeStream('<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><x>', '</x></env:Body></env:Envelope>');
      res.once('close', () => stream.destroy());
      stream.pipe(res);
      return;
    }
    if (req.method === 'GET' && path === '/onvif/snapshot.jpg') {
      if (digest.check(req, res)) answer(res, 200, 'image/jpeg', snapshot);
      return;
    }
    if (req.method !== 'POST' || !path.startsWith('/onvif/')) return answer(res, 404, 'text/plain', Buffer.from('not found'));
    readBody(req, MAX_REQUEST_BYTES)
      .then((body) => {
        const { status, xml } = handleSoap(body);
        answer(res, status, SOAP_CONTENT_TYPE, Buffer.from(soapOutput(xml)));
      })
      .catch(() => answer(res, 413, 'text/plain', Buffer.from('request too large')));
  });

  const endpointUuid = randomUUID();
  const scope = (kind: string, value: string) => `onvif://www.onvif.org/${kind}/${encodeURIComponent(value)}`;
  const responder = new WsDiscoveryResponder(
    {
      endpointUuid,
      xaddr: model.xaddrs.device,
      httpPort,
      scopes: [
        'onvif://www.onvif.org/type/video_encoder',
        'onvif://www.onvif.org/type/ptz',
        'onvif://www.onvif.org/Profile/Streaming',
        scope('name', opts.name),
        scope('hardware', model.hardware),
        scope('location', opts.location ?? 'sim'),
      ],
    },
    () => mode,
  );
  try {
    await responder.start(opts.multicast ?? false);
  } catch (error) {
    server.close();
    throw error;
  }

  return {
    xaddr: model.xaddrs.device,
    discoveryPort: responder.port,
    httpPort,
    username: opts.username,
    password: opts.password,
    endpointUuid,
    multicastJoined: responder.multicastJoined,
    ptzCalls,
    setMode(next) {
      mode = next;
      // Going offline drops every open connection, including trickling and oversize ones.
      if (next === 'offline') server.closeAllConnections();
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      timers.clear();
      await responder.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        reject(new Error('request too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}
