import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  path: string;
  userIdentify: string | undefined;
  body: any;
  receivedAt: number;
  /** When the peer's answer went out (set once answered). */
  answeredAt?: number;
}

/** What the peer answers: HTTP status and, unless null, one ResponseStatusObject with this StatusCode. */
export interface Answer {
  status: number;
  statusCode: number | null;
  /** Held this long before answering (a slow peer: the hub's request stays in flight). */
  delayMs?: number;
}

type Script = (request: SeenRequest, seen: SeenRequest[]) => Answer;

/**
 * A lower 视图库 on loopback that answers /VIID/Subscribes as its script says (a refusal, a missing DELETE),
 * for the error paths a second hub will not take. It records every request it got.
 */
export class ScriptedLowerPeer {
  readonly seen: SeenRequest[] = [];
  private server: Server | undefined;

  constructor(public script: Script) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  count(method: string): number {
    return this.seen.filter((r) => r.method === method && r.path === '/VIID/Subscribes').length;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const header = req.headers['user-identify'];
    const request: SeenRequest = { method: req.method ?? '', path: (req.url ?? '').split('?')[0]!, userIdentify: Array.isArray(header) ? header[0] : header, body: text ? JSON.parse(text) : undefined, receivedAt: Date.now() };
    this.seen.push(request);
    const answer = this.script(request, this.seen);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    const body = answer.statusCode === null ? '' : JSON.stringify({
      ResponseStatusListObject: { ResponseStatusObject: [{ Id: idOf(req, request.body), RequestURL: request.path, StatusCode: answer.statusCode, StatusString: answer.statusCode === 0 ? 'OK' : 'refused by script' }] },
    });
    request.answeredAt = Date.now();
    res.writeHead(answer.status, { 'content-type': 'application/VIID+JSON;charset=UTF-8' }).end(body);
  }
}

/** The SubscribeID a request is about: IDList of a DELETE, or the first SubscribeObject's. */
function idOf(req: IncomingMessage, body: any): string {
  const list = new URL(req.url ?? '/', 'http://x').searchParams.get('IDList');
  if (list) return list.split(',')[0]!;
  const objects = body?.SubscribeListObject?.SubscribeObject;
  return String((Array.isArray(objects) ? objects[0] : objects)?.SubscribeID ?? '');
}
