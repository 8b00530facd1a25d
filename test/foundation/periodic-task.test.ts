import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { PeriodicTask } from '../../api/kernel/process/periodic-task.ts';

/** A pass the test ends by hand. */
function gate() {
  let open!: () => void;
  const passed = new Promise<void>((resolve) => { open = resolve; });
  return { passed, open };
}

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

it('never overlaps passes: the next one is scheduled only when the previous ended', async () => {
  const gates = [gate(), gate()];
  let calls = 0;
  const task = new PeriodicTask({ run: () => gates[calls++]!.passed, everyMs: 10, onError: () => {} });
  task.start();
  await vi.advanceTimersByTimeAsync(500);
  expect(calls).toBe(1);
  gates[0]!.open();
  await vi.advanceTimersByTimeAsync(9);
  expect(calls).toBe(1);
  await vi.advanceTimersByTimeAsync(1);
  expect(calls).toBe(2);
  gates[1]!.open();
  await task.stop();
});

it('runNow waits for the pass in flight instead of running beside it', async () => {
  const first = gate();
  let inFlight = 0;
  let most = 0;
  let calls = 0;
  const task = new PeriodicTask({
    run: async () => {
      calls++;
      most = Math.max(most, ++inFlight);
      if (calls === 1) await first.passed;
      inFlight--;
      return calls;
    },
    everyMs: 1_000,
    onError: () => {},
  });
  task.start(0);
  await vi.advanceTimersByTimeAsync(0);
  const now = task.runNow();
  const again = task.runNow();
  first.open();
  expect(await now).toBe(2);
  expect(await again).toBe(3);
  expect(most).toBe(1);
  await task.stop();
});

it('stop() waits for the running pass and no pass starts after it', async () => {
  const running = gate();
  let calls = 0;
  const task = new PeriodicTask({ run: () => { calls++; return running.passed; }, everyMs: 10, onError: () => {} });
  task.start(0);
  await vi.advanceTimersByTimeAsync(0);
  let stopped = false;
  const stopping = task.stop().then(() => { stopped = true; });
  await vi.advanceTimersByTimeAsync(100);
  expect(stopped).toBe(false);
  running.open();
  await stopping;
  await vi.advanceTimersByTimeAsync(1_000);
  expect(calls).toBe(1);
});

it('reports a failed pass (thrown or rejected) and goes on', async () => {
  const errors: string[] = [];
  let calls = 0;
  const task = new PeriodicTask({
    run: () => {
      calls++;
      if (calls === 1) throw new Error('thrown');
      if (calls === 2) return Promise.reject(new Error('rejected'));
      return Promise.resolve('fine');
    },
    everyMs: 10,
    onError: (error) => errors.push(error.message),
  });
  task.start(0);
  await vi.advanceTimersByTimeAsync(25);
  expect(errors).toEqual(['thrown', 'rejected']);
  expect(calls).toBe(3);
  await task.stop();
});

it('takes the next delay from the pass result; undefined ends the loop', async () => {
  const delays = [5, 20, undefined];
  const at: number[] = [];
  const start = Date.now();
  let calls = 0;
  const task = new PeriodicTask({
    run: async () => { at.push(Date.now() - start); return delays[calls++]; },
    everyMs: (delay) => delay,
    onError: () => {},
  });
  task.start(0);
  await vi.advanceTimersByTimeAsync(1_000);
  expect(at).toEqual([0, 5, 25]);
  await task.stop();
});

it('does not keep the process alive (its timer is unref()ed)', async () => {
  vi.useRealTimers();
  const spy = vi.spyOn(globalThis, 'setTimeout');
  const task = new PeriodicTask({ run: async () => {}, everyMs: 60_000, onError: () => {} });
  task.start();
  const timer = spy.mock.results.at(-1)!.value as NodeJS.Timeout;
  spy.mockRestore();
  expect(timer.hasRef()).toBe(false);
  await task.stop();
});

it('kick runs a pass at once when idle, and adds nothing while a pass is in flight', async () => {
  const first = gate();
  let calls = 0;
  const task = new PeriodicTask({ run: async () => { if (++calls === 1) await first.passed; }, everyMs: 1_000, onError: () => {} });
  task.start();
  task.kick();
  expect(calls).toBe(1);
  task.kick();
  task.kick();
  expect(calls).toBe(1);
  first.open();
  await vi.advanceTimersByTimeAsync(0);
  task.kick();
  expect(calls).toBe(2);
  await task.stop();
  task.kick();
  expect(calls).toBe(2);
});
