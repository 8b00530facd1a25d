import { describe, expect, it } from 'vitest';
import { CrowdMonitor, type CrowdAlertEnded, type CrowdAlertRaised, type CrowdSample } from '../../analytics/crowd/crowd-monitor.ts';
import { contentRect, toPixelZones } from '../../analytics/crowd/crowd-zone.ts';

function recorder() {
  const out = { samples: [] as CrowdSample[], raised: [] as CrowdAlertRaised[], ended: [] as CrowdAlertEnded[] };
  return { out, sink: { samples: (s: CrowdSample[]) => out.samples.push(...s), alertRaised: (a: CrowdAlertRaised) => out.raised.push(a), alertEnded: (a: CrowdAlertEnded) => out.ended.push(a) } };
}

const zone = { id: 'gate', name: 'Gate', polygon: [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }], threshold: 5, durationSeconds: 10 };

describe('crowd monitor', () => {
  it('keeps one sample per zone per interval: the peak', () => {
    const { out, sink } = recorder();
    const m = new CrowdMonitor('cam', 10_000, sink);
    m.setZones([zone]);
    m.update(1_000, { _all: 3, gate: 1 });
    m.update(5_000, { _all: 7, gate: 2 });
    m.update(9_000, { _all: 4, gate: 0 });
    expect(out.samples).toEqual([]);
    m.update(12_000, { _all: 1, gate: 1 });
    expect(out.samples).toEqual([{ cameraId: 'cam', zoneId: '_all', at: 0, count: 7 }, { cameraId: 'cam', zoneId: 'gate', at: 0, count: 2 }]);
    m.flush();
    expect(out.samples.slice(2)).toEqual([{ cameraId: 'cam', zoneId: '_all', at: 10_000, count: 1 }, { cameraId: 'cam', zoneId: 'gate', at: 10_000, count: 1 }]);
  });

  it('alerts once when a zone stays above its threshold for its duration, and ends the episode', () => {
    const { out, sink } = recorder();
    const m = new CrowdMonitor('cam', 10_000, sink);
    m.setZones([zone]);
    m.update(0, { gate: 6 });
    m.update(5_000, { gate: 9 });
    m.update(9_999, { gate: 6 });
    expect(out.raised).toHaveLength(0);
    m.update(10_000, { gate: 7 });
    m.update(15_000, { gate: 8 });
    expect(out.raised).toEqual([{ cameraId: 'cam', zoneId: 'gate', startedAt: 0, raisedAt: 10_000, threshold: 5, count: 7 }]);
    m.update(16_000, { gate: 5 });
    expect(out.ended).toEqual([{ cameraId: 'cam', zoneId: 'gate', endedAt: 16_000, peakCount: 9 }]);
  });

  it('does not alert when the count dips before the duration', () => {
    const { out, sink } = recorder();
    const m = new CrowdMonitor('cam', 10_000, sink);
    m.setZones([zone]);
    m.update(0, { gate: 6 });
    m.update(8_000, { gate: 2 });
    m.update(9_000, { gate: 6 });
    m.update(18_000, { gate: 6 });
    expect(out.raised).toHaveLength(0);
    m.update(19_000, { gate: 6 });
    expect(out.raised).toHaveLength(1);
  });

  it('places normalised zones inside the letterboxed frame', () => {
    // A 4:3 camera in a 16:9 model frame: centred, black bars left and right.
    const rect = contentRect(640, 480, 1920, 1080);
    expect(rect).toEqual({ x: 240, y: 0, width: 1440, height: 1080 });
    const [pixel] = toPixelZones([zone], rect);
    expect(pixel.polygon).toEqual([{ x: 240, y: 0 }, { x: 1680, y: 0 }, { x: 1680, y: 1080 }]);
  });
});
