import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../errors/hub-error.ts';

/** Headers of an internal request from one node to another. */
export const HOP_HEADERS = { node: 'x-hub-node', time: 'x-hub-node-time', signature: 'x-hub-node-signature' } as const;

/** How far a hop's timestamp may be from the receiver's clock. */
const MAX_SKEW_MS = 30_000;

/**
 * Authenticates requests between hub nodes (the internal media hop): HMAC-SHA256 over node id, time,
 * method and path with a key derived (HKDF) from auth.tokenSecret, which every node of a cluster shares
 * already (they verify each other's access tokens). A derived key keeps the two uses apart: a hop signature
 * is no token and no token is a hop signature. A user's play token is never forwarded to another node.
 */
export class ClusterHop {
  private readonly key: Buffer;

  constructor(tokenSecret: string, readonly nodeId: string) {
    this.key = Buffer.from(hkdfSync('sha256', tokenSecret, 'camera-sharing-hub', 'cluster internal hop v1', 32));
  }

  private mac(node: string, time: string, method: string, path: string): Buffer {
    return createHmac('sha256', this.key).update(`${node}\n${time}\n${method.toUpperCase()}\n${path}`).digest();
  }

  /** Headers for a request to another node. */
  sign(method: string, path: string, now = Date.now()): Record<string, string> {
    const time = String(now);
    return { [HOP_HEADERS.node]: this.nodeId, [HOP_HEADERS.time]: time, [HOP_HEADERS.signature]: this.mac(this.nodeId, time, method, path).toString('base64url') };
  }

  /** The calling node's id when the request is signed by a node of this cluster; 401 otherwise. */
  verify(method: string, path: string, headers: Record<string, string | string[] | undefined>, now = Date.now()): string {
    const node = headers[HOP_HEADERS.node];
    const time = headers[HOP_HEADERS.time];
    const signature = headers[HOP_HEADERS.signature];
    if (typeof node !== 'string' || typeof time !== 'string' || typeof signature !== 'string' || !/^\d{1,15}$/.test(time) || node.length > 64) {
      throw unauthorized('CLUSTER_HOP_REQUIRED', 'internal cluster routes take signed requests from hub nodes only');
    }
    if (Math.abs(now - Number(time)) > MAX_SKEW_MS) throw unauthorized('CLUSTER_HOP_INVALID', 'the internal request is too old or from the future');
    const expected = this.mac(node, time, method, path);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized('CLUSTER_HOP_INVALID', 'the internal request signature does not match');
    return node;
  }
}
