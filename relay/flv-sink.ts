/**
 * Where an FLV viewer's bytes go: a hijacked HTTP response (HTTP-FLV) or a WebSocket (WS-FLV). The viewer
 * does the NMS side (attach, backlog limit, detach); a sink only moves bytes and reports its backlog.
 */
export interface FlvSink {
  /** Bytes accepted but not yet handed to the network: how far behind this viewer is. */
  readonly pendingBytes: number;
  /** False once the peer left or the sink was ended. */
  readonly isOpen: boolean;
  write(buffer: Buffer): void;
  /** Ends cleanly (stream over). */
  end(): void;
  /** Cuts at once (access ended, viewer too slow, hub stopping). */
  cut(): void;
  /** Called once when the peer goes away, whoever closed. */
  onPeerClose(listener: () => void): void;
}
