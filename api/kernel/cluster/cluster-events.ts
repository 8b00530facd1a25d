/** The kernel's own event: the cross-node bus was cut and is back (docs in cluster-bus.ts). */

declare module '../events/hub-events.ts' {
  interface HubEventMap {
    /**
     * Emitted on this node after its subscription to the other nodes' events came back from a Redis outage:
     * events published meanwhile are lost (pub/sub keeps nothing), so whoever acts on them checks the
     * database now (play sessions re-read the state of their grants).
     */
    'cluster.resync': [{ at: number }];
  }
}

export {};
