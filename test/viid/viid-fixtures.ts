import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestHub } from '../helpers/test-hub.ts';

export const PEER_PASSWORD = 'viid-peer-password-1';

/** Lets a 卡口 device (its own ID among its devices) or a platform register with the hub, as an admin does. */
export async function allowPeer(t: TestHub, peer: { id: string; kind: 'device' | 'platform'; departmentId: string; devices?: string[]; password?: string }): Promise<void> {
  const created = await t.api('/api/v1/viid/peers', {
    user: t.users.admin,
    body: { id: peer.id, kind: peer.kind, name: `${peer.kind} ${peer.id.slice(-4)}`, departmentId: peer.departmentId, password: peer.password ?? PEER_PASSWORD, devices: peer.devices ?? (peer.kind === 'device' ? [peer.id] : []) },
  });
  if (created.status !== 201) throw new Error(`creating peer ${peer.id}: ${created.status} ${JSON.stringify(created.body)}`);
}

/** Waits for a condition on a loaded machine instead of sleeping a fixed time. */
export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The plate crops the simulator sends, as bytes (to compare with what the hub stored). */
export const mediaBytes = (file: string) => readFileSync(resolve(import.meta.dirname, '../../media', file));

/** Fast delivery retries for tests. */
export const FAST_DELIVERY = { checkpoint: { delivery: { pollMs: 50, initialDelayMs: 50, maxDelayMs: 400, timeoutMs: 5_000 } } };
