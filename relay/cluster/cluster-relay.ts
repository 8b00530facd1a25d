import type { Logger } from 'pino';
import type { ClusterNode } from '../../api/kernel/cluster/cluster-node.ts';
import type { CameraOwner } from '../../api/kernel/cluster/camera-ownership.ts';
import { HubError, unavailable } from '../../api/kernel/errors/hub-error.ts';
import type { RelayPool, StreamLease } from '../relay-pool.ts';
import { ViewerDemand } from './viewer-demand.ts';

/** Where a node's internal media routes live: only other nodes of the cluster call them. */
export const INTERNAL_MEDIA_PREFIX = '/internal/cluster/media';

/** How long a looked-up owner is trusted before Redis is asked again. */
const OWNER_CACHE_MS = 1_000;
/** An owner that does not answer the internal hop within this is taken as gone. */
const HOP_CONNECT_TIMEOUT_MS = 5_000;

/**
 * The relay as one node of a cluster: pulls only the cameras this node holds the lease of (RelayPool
 * refuses the others), stops a pull the moment its lease goes, and reaches the owner of any other camera
 * over a signed internal hop for the viewers whose sessions live here.
 */
export class ClusterRelay {
  readonly demand: ViewerDemand;
  private readonly owners = new Map<string, { owner: CameraOwner | undefined; at: number }>();

  constructor(readonly node: ClusterNode, private readonly relays: RelayPool, viewerIdleSeconds: number, private readonly log: Pick<Logger, 'warn' | 'info' | 'debug'>) {
    this.demand = new ViewerDemand(relays, viewerIdleSeconds * 1_000, log);
    node.reportPulls(() => relays.pulledCameras());
    node.onCameraLost((cameraId) => {
      this.demand.forgetCamera(cameraId);
      void relays.drop(cameraId).catch((error: Error) => log.warn({ err: error, cameraId }, 'could not stop a pull whose lease went'));
    });
  }

  owns(cameraId: string): boolean {
    return this.node.ownership.owns(cameraId);
  }

  start(): void {
    this.demand.start();
  }

  stop(): Promise<void> {
    return this.demand.stop();
  }

  /**
   * The lease a play session holds: the real one where this node pulls the camera; elsewhere none (the
   * session's media fetches hold the owner's pull through the hop), and the owner is asked to start the
   * pull now so the first playlist is not late.
   */
  async lease(cameraId: string, consumer: string): Promise<StreamLease> {
    if (this.owns(cameraId)) return this.relays.lease(cameraId, consumer);
    void this.fromOwner(cameraId, `hls/${cameraId}/index.m3u8`, AbortSignal.timeout(30_000))
      .then((response) => response.body?.cancel())
      .catch((error: Error) => this.log.debug({ err: error, cameraId }, 'warming the owner\'s pull failed'));
    return { streamId: cameraId, url: '', consumer, release: () => {} };
  }

  private async ownerOf(cameraId: string, fresh: boolean): Promise<CameraOwner | undefined> {
    const cached = this.owners.get(cameraId);
    if (!fresh && cached && Date.now() - cached.at < OWNER_CACHE_MS) return cached.owner;
    const owner = await this.node.ownership.ownerOf(cameraId);
    this.owners.set(cameraId, { owner, at: Date.now() });
    return owner;
  }

  /**
   * The owner read afresh; while there is none (a camera just added, or its node just left), asked again each
   * ~250 ms until the node placed to take it has (at most a lease's life and a heartbeat), so a viewer's first
   * fetch waits a moment instead of failing.
   */
  private async settledOwnerOf(cameraId: string, signal: AbortSignal): Promise<CameraOwner | undefined> {
    const deadline = Date.now() + this.node.ownerSettleMs;
    for (;;) {
      const owner = await this.ownerOf(cameraId, true);
      if (owner || Date.now() >= deadline || signal.aborted) return owner;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /**
   * A GET of the owner's internal media route (`hls/<id>/<file>` or `flv/<id>.flv`), signed as this node.
   * An answer from a node that just lost the camera, or no answer, is tried once more with the owner read
   * afresh. Refusals come back as HubErrors the viewer's player understands (503: try again).
   */
  async fromOwner(cameraId: string, path: string, signal: AbortSignal): Promise<Response> {
    let lastError: HubError | undefined;
    for (const fresh of [false, true]) {
      const owner = fresh ? await this.settledOwnerOf(cameraId, signal) : await this.ownerOf(cameraId, false);
      if (!owner) {
        lastError = unavailable('CAMERA_OWNER_PENDING', 'no node pulls this camera right now (a node left); the player retries');
        continue;
      }
      if (owner.nodeId === this.node.nodeId) throw unavailable('CAMERA_OWNER_PENDING', 'this node just took the camera; try again');
      const target = `${INTERNAL_MEDIA_PREFIX}/${path}`;
      const connect = AbortSignal.timeout(HOP_CONNECT_TIMEOUT_MS);
      try {
        const response = await fetch(`${owner.url}${target}`, { headers: this.node.hop.sign('GET', target), signal: AbortSignal.any([signal, connect]), redirect: 'error' });
        if (response.ok) return response;
        const body = await response.json().catch(() => ({})) as { code?: string; message?: string };
        lastError = new HubError(body.code ?? 'CAMERA_OWNER_UNREACHABLE', body.message ?? `the camera's node answered ${response.status}`, response.status);
        if (body.code !== 'CAMERA_OWNED_ELSEWHERE') throw lastError;
      } catch (error) {
        if (error instanceof HubError && error.code !== 'CAMERA_OWNED_ELSEWHERE') throw error;
        if (signal.aborted) throw error;
        lastError = error instanceof HubError ? error : unavailable('CAMERA_OWNER_UNREACHABLE', 'the node that pulls this camera does not answer; the player retries', error);
      }
    }
    throw lastError!;
  }
}
