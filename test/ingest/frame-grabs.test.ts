import { describe, expect, it } from 'vitest';
import { FrameGrabs } from '../../ingest/snapshot/frame-grabs.ts';

/** A grab the test finishes by hand. */
function heldGrab(counter: { started: number }) {
  let finish!: (value: string) => void;
  const grab = () => { counter.started++; return new Promise<string>((resolve) => { finish = resolve; }); };
  return { grab, finish: (value: string) => finish(value) };
}

const busy = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'not refused';
};

describe('FrameGrabs (issue 13 #4)', () => {
  it('joins a running grab of the same camera, refuses a new one over the hub-wide cap, frees the slot when done', async () => {
    const grabs = new FrameGrabs<string>(() => ({ maxConcurrentGrabs: 2, maxConcurrentPerUser: 2, frameCacheMs: 0 }));
    const counter = { started: 0 };
    const a = heldGrab(counter);
    const b = heldGrab(counter);
    const first = grabs.frame('cam-a', 'u1', a.grab);
    const joined = grabs.frame('cam-a', 'u2', a.grab);
    const second = grabs.frame('cam-b', 'u2', b.grab);
    expect(counter.started).toBe(2);
    expect(busy(() => grabs.frame('cam-c', 'u3', async () => 'c'))).toBe('SNAPSHOT_BUSY');
    a.finish('frame a');
    b.finish('frame b');
    expect(await Promise.all([first, joined, second])).toEqual(['frame a', 'frame a', 'frame b']);
    expect(grabs.runningCount).toBe(0);
    expect(await grabs.frame('cam-c', 'u3', async () => 'frame c')).toBe('frame c');
  });

  it('counts the grabs a user started against that user, and serves the cached frame without a new grab', async () => {
    const grabs = new FrameGrabs<string>(() => ({ maxConcurrentGrabs: 10, maxConcurrentPerUser: 1, frameCacheMs: 60_000 }));
    const counter = { started: 0 };
    const a = heldGrab(counter);
    const first = grabs.frame('cam-a', 'u1', a.grab);
    expect(busy(() => grabs.frame('cam-b', 'u1', async () => 'b'))).toBe('SNAPSHOT_BUSY');
    expect(await grabs.frame('cam-b', 'u2', async () => 'frame b')).toBe('frame b');
    a.finish('frame a');
    await first;
    expect(await grabs.frame('cam-a', 'u1', async () => 'a second grab')).toBe('frame a');
    expect(counter.started).toBe(1);
    grabs.forget();
    expect(await grabs.frame('cam-a', 'u1', async () => 'a second grab')).toBe('a second grab');
  });
});
