import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { skipPostgres } from '../helpers/pg-url.ts';
import { until } from '../relay/relay-fixtures.ts';
import { HubCluster } from './hub-cluster.ts';

const CAMERAS = 6;
const NODES = 3;
const INTERVAL_MS = 500;
const WINDOW_MS = 4_000;

/**
 * An RTSP camera front on loopback that answers OPTIONS and DESCRIBE (one H.264 track) and counts the
 * DESCRIBEs per path: the health probe's request.
 */
class DescribeCounter {
  readonly describes = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((socket) => {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        const [method, url] = head.split(' ');
        const cseq = /CSeq:\s*(\d+)/i.exec(head)?.[1] ?? '0';
        if (method === 'DESCRIBE') {
          const path = new URL(url ?? '/', 'rtsp://x').pathname;
          this.describes.set(path, (this.describes.get(path) ?? 0) + 1);
          const sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=cam\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:track1\r\n';
          socket.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nContent-Type: application/sdp\r\nContent-Length: ${Buffer.byteLength(sdp)}\r\n\r\n${sdp}`);
        } else {
          socket.write(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n`);
        }
      }
    });
  });

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  total(): number {
    return [...this.describes.values()].reduce((a, b) => a + b, 0);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Issue 19: in a cluster only the node holding a camera's lease probes it. Three nodes probing every
 * camera every 500 ms would send each camera three DESCRIBEs per interval; the owner alone sends one.
 */
describe.skipIf(skipPostgres)('hub cluster: only the owner node health-probes a camera (3 nodes)', () => {
  let cluster: HubCluster | undefined;
  const camerasFront = new DescribeCounter();
  afterAll(async () => {
    await cluster?.stop();
    await camerasFront.stop();
  });

  it('each camera gets one probe per interval, from its owner, however many nodes there are', async () => {
    const port = await camerasFront.start();
    cluster = await HubCluster.start(NODES, { HUB_INGEST_HEALTH_INTERVAL_MS: String(INTERVAL_MS) });
    const [first] = cluster.members;
    const dept = await first!.process.api(first!.token, '/api/v1/departments', { name: 'Traffic Police', kind: 'traffic', isGovernment: true });
    expect(dept.status).toBe(201);
    for (let i = 0; i < CAMERAS; i++) {
      const created = await first!.process.api(first!.token, '/api/v1/cameras', { name: `gate ${i}`, departmentId: dept.body.id, category: 'traffic', streamUrl: `rtsp://127.0.0.1:${port}/cam${i}` });
      expect(created.status).toBe(201);
    }
    await until('every camera leased by one node, the nodes sharing them', async () => {
      const owned = await Promise.all(cluster!.live.map((m) => cluster!.state(m)));
      const all = owned.flatMap((s) => s.ownedCameras);
      return all.length === CAMERAS && new Set(all).size === CAMERAS && owned.every((s) => s.nodes.length === NODES);
    }, 30_000, 250);
    // Two more intervals: a lease taken a moment ago has been followed by its owner's probes.
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_MS));

    const before = new Map(camerasFront.describes);
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const perCamera = Array.from({ length: CAMERAS }, (_, i) => (camerasFront.describes.get(`/cam${i}`) ?? 0) - (before.get(`/cam${i}`) ?? 0));
    // One prober per camera: at most one DESCRIBE per interval (+1 for the window's edges). Three probers
    // would send about three times that; a loaded machine only slows probes down, never adds any.
    const onePerInterval = WINDOW_MS / INTERVAL_MS + 1;
    expect(Math.max(...perCamera), `DESCRIBEs per camera in ${WINDOW_MS} ms: ${perCamera}`).toBeLessThanOrEqual(onePerInterval);
    // And each camera is probed: by its owner.
    expect(Math.min(...perCamera), `DESCRIBEs per camera in ${WINDOW_MS} ms: ${perCamera}`).toBeGreaterThanOrEqual(2);
    expect(camerasFront.total()).toBeGreaterThan(0);
  }, 300_000);
});
