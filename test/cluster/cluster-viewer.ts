import type { ClusterMember, HubCluster } from './hub-cluster.ts';

/**
 * A viewer that behaves as the player does through a load balancer that skips dead nodes: it starts a
 * play session on its node and fetches the HLS playlist with the session's token and binding cookie;
 * when its node no longer answers, it starts playing again on the next live node.
 */
export class ClusterViewer {
  entry: ClusterMember | undefined;
  private hlsUrl = '';
  private cookie = '';
  lastOkAt = 0;
  /** The node that served the last good playlist (entry may be cleared since, while the viewer starts again). */
  okEntry: ClusterMember | undefined;
  lastStatus = 0;
  /** Sessions started (1 + the times it resumed on another node). */
  starts = 0;

  constructor(readonly cameraId: string, private readonly cluster: HubCluster, private readonly preferred: number) {}

  private nextNode(): ClusterMember | undefined {
    const members = this.cluster.members;
    for (let i = 0; i < members.length; i++) {
      const member = members[(this.preferred + i) % members.length]!;
      if (member.alive) return member;
    }
    return undefined;
  }

  private async play(): Promise<boolean> {
    const member = this.nextNode();
    if (!member) return false;
    const res = await fetch(`${member.url}/api/v1/cameras/${this.cameraId}/play`, {
      method: 'POST', headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ protocol: 'hls' }), signal: AbortSignal.timeout(10_000),
    });
    if (res.status !== 201) return false;
    const body = await res.json() as { hlsUrl: string };
    this.entry = member;
    this.hlsUrl = body.hlsUrl;
    this.cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
    this.starts++;
    return true;
  }

  /** One fetch of the playlist (a new session first when there is none or its node is gone); true on 200 with segments. */
  async tick(): Promise<boolean> {
    try {
      if (!this.entry?.alive && !(await this.play())) return false;
      const entry = this.entry!;
      const res = await fetch(`${entry.url}${this.hlsUrl}`, { headers: { cookie: this.cookie }, signal: AbortSignal.timeout(20_000) });
      this.lastStatus = res.status;
      const text = await res.text();
      // A session the node forgot (it restarted) is started again, as the player would.
      if (res.status === 403 || res.status === 401) this.entry = undefined;
      if (res.status === 200 && text.includes('seg_')) {
        this.lastOkAt = Date.now();
        this.okEntry = entry;
        return true;
      }
    } catch {
      // Connection refused or reset: the node died; the next tick plays through another.
      this.lastStatus = -1;
      if (this.entry && !this.entry.alive) this.entry = undefined;
    }
    return false;
  }
}

/** Keeps viewers fetching every `everyMs` until stopped. */
export function keepWatching(viewers: ClusterViewer[], everyMs: number): { stop(): Promise<void> } {
  let running = true;
  const loops = viewers.map(async (viewer, i) => {
    await new Promise((r) => setTimeout(r, (i * everyMs) / viewers.length));
    while (running) {
      await viewer.tick();
      await new Promise((r) => setTimeout(r, everyMs));
    }
  });
  return { stop: async () => { running = false; await Promise.all(loops); } };
}
