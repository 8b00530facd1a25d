import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { responseStatus, STATUS, subscribeId, viidTime, VIID_JSON } from './viid-codes.ts';
import { ViidPeerClient, type ViidPeerOptions, type ViidReply } from './viid-peer-client.ts';

/** One notification as the receiver saw it, with the headers it came with. */
export interface ReceivedNotification {
  notificationId: string;
  subscribeId: string;
  infoIds: string[];
  vehicles: Array<Record<string, any>>;
  userIdentify: string | undefined;
  contentType: string | undefined;
  /** The StatusCode this receiver answered. */
  answered: number;
  at: number;
}

export interface SubscribeRequest {
  /** Defaults to a fresh 33-character id issued by this platform. */
  subscribeId?: string;
  title?: string;
  /** 13 = motor vehicles. */
  detail?: string;
  /** Device or tollgate IDs the subscription covers (comma list in ResourceURI); empty = all we may see. */
  resourceUri?: string;
  beginTime?: number;
  endTime?: number;
  reportInterval?: number;
  resultImageDeclare?: string;
  /** Where notifications go; defaults to this simulator's own receiver. */
  receiveAddr?: string;
}

/**
 * An upper 视图库 / third-party platform: registers to the hub with digest, subscribes (POST /VIID/Subscribes
 * with its own SubscribeID and ReceiveAddr), and runs the receiver for POST /VIID/SubscribeNotifications,
 * answering a ResponseStatusListObject. `failNext` makes it answer StatusCode ≠ 0 (with HTTP 200, as real
 * platforms do) to that many notifications, to test the sender's retries; it drops notifications for
 * SubscribeIDs it did not issue, as xiezhihui98's server does.
 */
export class SimulatedUpperPlatform {
  readonly client: ViidPeerClient;
  readonly received: ReceivedNotification[] = [];
  readonly issued = new Set<string>();
  failNext = 0;
  failCode: number = STATUS.DeviceBusy;
  private server: Server | undefined;
  private serial = 0;
  private waiters: Array<() => void> = [];

  constructor(options: ViidPeerOptions, private readonly orgCode = options.id.slice(0, 12)) {
    this.client = new ViidPeerClient(options);
  }

  /** Starts the receiver on 127.0.0.1 (port 0 = any free port). */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    return this.receiveAddr;
  }

  get receiveAddr(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('receiver not listening');
    return `http://127.0.0.1:${address.port}/VIID/SubscribeNotifications`;
  }

  async subscribe(request: SubscribeRequest = {}): Promise<{ subscribeId: string; reply: ViidReply }> {
    const id = request.subscribeId ?? subscribeId(this.orgCode, Date.now(), this.serial++);
    this.issued.add(id);
    const now = Date.now();
    const reply = await this.client.request('POST', '/VIID/Subscribes', {
      SubscribeListObject: { SubscribeObject: [this.subscribeObject(id, request, now, 0)] },
    });
    return { subscribeId: id, reply };
  }

  /** PUT with OperateType 1 cancels; `cancelWithDelete` uses DELETE /VIID/Subscribes?IDList= instead. */
  async cancel(id: string, cancelWithDelete = false): Promise<ViidReply> {
    if (cancelWithDelete) return this.client.request('DELETE', `/VIID/Subscribes?IDList=${encodeURIComponent(id)}`);
    return this.client.request('PUT', '/VIID/Subscribes', {
      SubscribeListObject: { SubscribeObject: [this.subscribeObject(id, {}, Date.now(), 1)] },
    });
  }

  private subscribeObject(id: string, request: SubscribeRequest, now: number, operateType: number) {
    return {
      SubscribeID: id,
      Title: request.title ?? '卡口过车订阅',
      SubscribeDetail: request.detail ?? '13',
      ResourceURI: request.resourceUri ?? '',
      ApplicantName: 'sim-platform',
      ApplicantOrg: this.orgCode,
      BeginTime: viidTime(request.beginTime ?? now - 60_000),
      EndTime: viidTime(request.endTime ?? now + 86_400_000),
      ReceiveAddr: request.receiveAddr ?? this.receiveAddr,
      ReportInterval: request.reportInterval ?? 1,
      Reason: '模拟上级平台订阅',
      OperateType: operateType,
      ResultImageDeclare: request.resultImageDeclare ?? '-1',
    };
  }

  /** Resolves once `predicate` holds over what was received (checked on every notification). */
  async waitFor(predicate: (received: ReceivedNotification[]) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms; received ${this.received.length} notifications`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = req.url ?? '';
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': VIID_JSON });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || !url.startsWith('/VIID/SubscribeNotifications')) {
      answer(404, { ResponseStatusObject: responseStatus('', url, STATUS.InvalidOperation, 'not found') });
      return;
    }
    let body: any;
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch {
      answer(400, { ResponseStatusObject: responseStatus('', url, STATUS.InvalidJSONFormat, 'malformed JSON') });
      return;
    }
    const list = body?.SubscribeNotificationListObject?.SubscribeNotificationObject;
    const notifications: any[] = Array.isArray(list) ? list : list ? [list] : [];
    const statuses = notifications.map((n) => {
      const id = String(n?.NotificationID ?? '');
      const sid = String(n?.SubscribeID ?? '');
      // Not ours: dropped, and (like the field) still answered 200 with nothing for it.
      if (!this.issued.has(sid)) return undefined;
      const failing = this.failNext > 0;
      if (failing) this.failNext--;
      const answered = failing ? this.failCode : STATUS.OK;
      const inner = n.MotorVehicleObjectList ?? n.MotorVehicleListObject;
      const vehicles = inner?.MotorVehicleObject ?? [];
      this.received.push({
        notificationId: id, subscribeId: sid, infoIds: String(n.InfoIDs ?? '').split(',').filter(Boolean),
        vehicles: Array.isArray(vehicles) ? vehicles : [vehicles], userIdentify: req.headers['user-identify'] as string | undefined,
        contentType: req.headers['content-type'], answered, at: Date.now(),
      });
      return responseStatus(id, url, answered, failing ? 'busy' : 'OK');
    }).filter((s) => s !== undefined);
    answer(200, { ResponseStatusListObject: { ResponseStatusObject: statuses } });
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Deliveries this platform accepted (StatusCode 0). */
  get delivered(): ReceivedNotification[] {
    return this.received.filter((r) => r.answered === STATUS.OK);
  }

  async close(): Promise<void> {
    if (this.client.registered) await this.client.unregister().catch(() => {});
    if (!this.server) return;
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
