import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { CameraStatus } from '../../api/kernel/db/tables/index.ts';
import { CameraSupervisor } from '../../ingest/health/camera-supervisor.ts';

/** The supervisor's policy alone: statuses it writes and the probes it asks for, in order. */
function supervised() {
  const written: Array<[string, CameraStatus]> = [];
  const probes: string[] = [];
  const statuses = new Map<string, CameraStatus>();
  const supervisor = new CameraSupervisor({
    setStatus: async (id: string, status: CameraStatus) => {
      const previous = statuses.get(id) ?? 'unknown';
      statuses.set(id, status);
      written.push([id, status]);
      return previous;
    },
    setStatuses: async () => [],
  }, pino({ level: 'silent' }));
  supervisor.useProbe((id) => probes.push(id));
  return { supervisor, written, probes };
}

describe('CameraSupervisor: one status fed by the probe, the relay and the sampler', () => {
  it('writes the probe verdict as the status, and only the probe writes it', async () => {
    const { supervisor, written } = supervised();
    expect(await supervisor.probed('cam', { status: 'online', reason: 'ok' }, 1_000)).toBe('unknown');
    supervisor.pullChanged('cam', 'stalled', 'no progress', 2_000);
    supervisor.framesChanged('cam', false, 'no frames', 3_000);
    expect(written).toEqual([['cam', 'online']]);
  });

  it('a stalled pull of an online camera asks for a probe now; flapping asks at most once per 5 s', async () => {
    const { supervisor, probes } = supervised();
    await supervisor.probed('cam', { status: 'online', reason: 'ok' }, 1_000);
    supervisor.pullChanged('cam', 'stalled', 'no progress', 2_000);
    supervisor.pullChanged('cam', 'running', 'segments', 2_500);
    supervisor.pullChanged('cam', 'stalled', 'no progress', 3_000);
    expect(probes).toEqual(['cam']);
    supervisor.pullChanged('cam', 'running', 'segments', 7_500);
    supervisor.pullChanged('cam', 'stalled', 'no progress', 8_000);
    expect(probes).toEqual(['cam', 'cam']);
  });

  it('frames flowing from a camera that probes offline ask for a probe now', async () => {
    const { supervisor, probes } = supervised();
    await supervisor.probed('cam', { status: 'offline', reason: 'timeout' }, 1_000);
    supervisor.framesChanged('cam', true, 'frames', 2_000);
    expect(probes).toEqual(['cam']);
  });

  it('agreeing reports and a stopped monitor ask for nothing', async () => {
    const { supervisor, probes } = supervised();
    await supervisor.probed('cam', { status: 'online', reason: 'ok' }, 1_000);
    supervisor.pullChanged('cam', 'running', 'segments', 2_000);
    supervisor.framesChanged('cam', true, 'frames', 2_000);
    supervisor.useProbe(undefined);
    supervisor.pullChanged('cam', 'stalled', 'no progress', 9_000);
    expect(probes).toEqual([]);
  });
});
