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

  const hysteresis = { clearRatio: 0.8, clearSeconds: 5 };

  it('alerts once when a zone stays above its threshold for its duration, and ends the episode only after the count stayed low', () => {
    const { out, sink } = recorder();
    const m = new CrowdMonitor('cam', 10_000, sink, hysteresis);
    m.setZones([zone]);
    m.update(0, { gate: 6 });
    m.update(5_000, { gate: 9 });
    m.update(9_999, { gate: 6 });
    expect(out.raised).toHaveLength(0);
    m.update(10_000, { gate: 7 });
    m.update(15_000, { gate: 8 });
    expect(out.raised).toEqual([{ cameraId: 'cam', zoneId: 'gate', startedAt: 0, raisedAt: 10_000, threshold: 5, count: 7, trigger: 'count' }]);
    // 5 is at the threshold but above the clear level (0.8 × 5 = 4): the hysteresis band keeps the alert open.
    m.update(16_000, { gate: 5 });
    m.update(30_000, { gate: 5 });
    expect(out.ended).toEqual([]);
    // Low (≤ 4) from 31 s: ends once it stayed low for clearSeconds (5 s), not at the first low frame.
    m.update(31_000, { gate: 3 });
    m.update(35_999, { gate: 2 });
    expect(out.ended).toEqual([]);
    m.update(36_000, { gate: 4 });
    expect(out.ended).toEqual([{ cameraId: 'cam', zoneId: 'gate', endedAt: 36_000, peakCount: 9 }]);
    // A new episode needs the full duration again.
    m.update(37_000, { gate: 9 });
    m.update(46_000, { gate: 9 });
    expect(out.raised).toHaveLength(1);
    m.update(47_000, { gate: 9 });
    expect(out.raised).toHaveLength(2);
  });

  it('a short dip (a person hidden for a frame) does not restart the wait: the alert still fires after the duration', () => {
    const { out, sink } = recorder();
    const m = new CrowdMonitor('cam', 10_000, sink, hysteresis);
    m.setZones([zone]);
    m.update(0, { gate: 6 });
    m.update(4_000, { gate: 2 });
    m.update(6_000, { gate: 6 });
    m.update(10_000, { gate: 7 });
    expect(out.raised).toEqual([expect.objectContaining({ startedAt: 0, raisedAt: 10_000 })]);
  });

  it('a dip that lasts clearSeconds ends the wait: the duration counts again from the next rise', () => {
    const { out, sink } = recorder();
    const m = new CrowdMonitor('cam', 10_000, sink, hysteresis);
    m.setZones([zone]);
    m.update(0, { gate: 6 });
    m.update(2_000, { gate: 2 });
    m.update(7_000, { gate: 2 });
    m.update(9_000, { gate: 6 });
    m.update(18_000, { gate: 6 });
    expect(out.raised).toHaveLength(0);
    m.update(19_000, { gate: 6 });
    expect(out.raised).toEqual([expect.objectContaining({ startedAt: 9_000, raisedAt: 19_000 })]);
  });

  it('alerts on people per square metre in a calibrated zone, even below the count threshold', () => {
    const { out, sink } = recorder();
    const m = new CrowdMonitor('cam', 10_000, sink, hysteresis);
    // 50 m²: 4 people per m² is 200 people; the count threshold (1,000) is never reached.
    m.setZones([{ ...zone, threshold: 1_000, durationSeconds: 2, areaSquareMetres: 50, densityThreshold: 4 }]);
    m.update(0, { gate: 150 });
    m.update(3_000, { gate: 180 });
    expect(out.raised).toHaveLength(0);
    m.update(4_000, { gate: 210 });
    m.update(6_000, { gate: 230 });
    expect(out.raised).toEqual([expect.objectContaining({ trigger: 'density', startedAt: 4_000, raisedAt: 6_000, count: 230 })]);
    // Ends once at or below 0.8 × 4 per m² (160 people) for 5 s.
    m.update(7_000, { gate: 170 });
    m.update(20_000, { gate: 170 });
    expect(out.ended).toHaveLength(0);
    m.update(21_000, { gate: 150 });
    m.update(26_000, { gate: 150 });
    expect(out.ended).toEqual([expect.objectContaining({ endedAt: 26_000, peakCount: 230 })]);
  });

  it('places normalised zones inside the letterboxed frame', () => {
    // A 4:3 camera in a 16:9 model frame: centred, black bars left and right.
    const rect = contentRect(640, 480, 1920, 1080);
    expect(rect).toEqual({ x: 240, y: 0, width: 1440, height: 1080 });
    const [pixel] = toPixelZones([zone], rect);
    expect(pixel.polygon).toEqual([{ x: 240, y: 0 }, { x: 1680, y: 0 }, { x: 1680, y: 1080 }]);
  });
});
