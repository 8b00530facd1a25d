import { readFileSync } from 'node:fs';

const TICKS = 100; // CLK_TCK on Linux

/** utime + stime of a process in clock ticks (0 when it is gone). */
export function cpuTicks(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Cores used by `pids()` over `seconds` (pids re-read at the end so restarted ffmpegs are seen; a vanished pid loses its share). */
export async function measureCores(pids: () => number[], seconds: number): Promise<number> {
  const start = new Map(pids().map((p) => [p, cpuTicks(p)]));
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1_000));
  const elapsed = (performance.now() - t0) / 1_000;
  let ticks = 0;
  for (const pid of new Set([...start.keys(), ...pids()])) ticks += cpuTicks(pid) - (start.get(pid) ?? 0);
  return ticks / TICKS / elapsed;
}
