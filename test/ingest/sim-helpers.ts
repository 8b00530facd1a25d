import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { request } from 'node:http';

/** Runs ffprobe (argv array, time-bounded) and parses its JSON output. */
export function ffprobeJson(args: string[], timeoutMs = 30_000): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile('ffprobe', ['-v', 'error', '-of', 'json', ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`ffprobe failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

export function run(command: string, args: string[], timeoutMs = 30_000): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr });
    });
  });
}

/** A WS-Security UsernameToken header computed here, independently of the simulator's code. */
export function usernameToken(username: string, password: string, options: { nonce?: Buffer; created?: string } = {}): string {
  const nonce = options.nonce ?? randomBytes(16);
  const created = options.created ?? new Date().toISOString();
  const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created + password)])).digest('base64');
  return (
    '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" ' +
    'xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken>' +
    `<wsse:Username>${username}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password>` +
    `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

export function soapEnvelope(body: string, header = ''): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" ' +
    'xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">' +
    `<s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP request on loopback; reads at most `maxBytes` of the body, then aborts. */
export function httpRequest(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string>; maxBytes?: number; timeoutMs?: number } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, timeout: options.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (options.maxBytes !== undefined && size >= options.maxBytes) {
          res.destroy();
          finish();
        }
      });
      res.once('end', finish);
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error('HTTP timeout')));
    req.once('error', reject);
    req.end(options.body);
  });
}

export function soapCall(xaddr: string, body: string, header = ''): Promise<HttpReply> {
  return httpRequest(xaddr, {
    method: 'POST',
    body: soapEnvelope(body, header),
    headers: { 'Content-Type': 'application/soap+xml; charset=utf-8' },
  });
}

export function probeXml(messageId: string, types = 'dn:NetworkVideoTransmitter'): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><e:Header>' +
    `<w:MessageID>${messageId}</w:MessageID><w:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>` +
    '<w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>' +
    `<e:Body><d:Probe><d:Types>${types}</d:Types></d:Probe></e:Body></e:Envelope>`
  );
}

/** Sends one UDP Probe to 127.0.0.1:port; collects replies for `waitMs`, or until the first when waitMs is not given. */
export async function probe(port: number, options: { waitMs?: number; types?: string } = {}): Promise<{ messageId: string; replies: Buffer[] }> {
  const messageId = `urn:uuid:${randomUUID()}`;
  const socket = createSocket('udp4');
  const replies: Buffer[] = [];
  let firstReply: () => void = () => {};
  socket.on('message', (message) => {
    replies.push(message);
    if (options.waitMs === undefined) firstReply();
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  socket.send(probeXml(messageId, options.types), port, '127.0.0.1');
  await new Promise<void>((resolve) => {
    firstReply = resolve;
    setTimeout(resolve, options.waitMs ?? 3_000);
  });
  socket.close();
  return { messageId, replies };
}

/** True while a process with this pid exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
