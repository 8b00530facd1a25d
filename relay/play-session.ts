import { ViewingSession, type ViewingSessionInit, type ViewingStopReason } from '../api/viewing/viewing-session.ts';
import type { StreamLease } from './relay-pool.ts';

export type PlayProtocol = 'flv' | 'ws-flv' | 'hls';
export type PlayStopReason = ViewingStopReason;

/** An open FLV connection of a session: a viewer of the local pull (FlvViewer) or of the owner's, through this node (ProxiedFlv). */
export interface FlvConnection {
  close(cut?: boolean): void;
  onClose(listener: () => void): void;
}

export interface PlaySessionInit extends ViewingSessionInit {
  protocol: PlayProtocol;
  lease: StreamLease;
}

/** One viewer watching one camera live: besides what every viewing session has, its lease on the pull and its open FLV connections (HTTP or WebSocket). */
export class PlaySession extends ViewingSession {
  readonly protocol: PlayProtocol;
  readonly flvViewers = new Set<FlvConnection>();
  private readonly lease: StreamLease;

  constructor(init: PlaySessionInit) {
    super(init);
    this.protocol = init.protocol;
    this.lease = init.lease;
  }

  /** An open FLV connection keeps the session from going idle. */
  override hasOpenConnections(): boolean {
    return this.flvViewers.size > 0;
  }

  override stopFacts(): Record<string, unknown> {
    return { protocol: this.protocol };
  }

  /** Cuts open FLV connections (HTTP and WebSocket) and gives the lease back. */
  override close(): void {
    for (const viewer of [...this.flvViewers]) viewer.close(true);
    this.flvViewers.clear();
    this.lease.release();
  }
}
