import { labelValue } from '../../api/kernel/metrics/metrics-registry.ts';
import type { CrowdCounts } from './crowd-counter.ts';

export interface CrowdFigures {
  cameraId: string;
  at: number;
  counts: CrowdCounts;
}

const line = (name: string, cameraId: string, zoneId: string, value: number) =>
  `${name}{camera="${labelValue(cameraId)}",zone="${labelValue(zoneId)}"} ${Math.round(value * 100) / 100}`;

/** The latest crowd counts per camera and zone, as Prometheus gauges (fused, detector and density counts). */
export function crowdMetrics(figures: readonly CrowdFigures[], openAlerts: number): string {
  const out: string[] = [
    '# HELP hub_crowd_people Latest fused people count per camera and zone (zone _all = whole picture)',
    '# TYPE hub_crowd_people gauge',
  ];
  for (const f of figures) for (const [zone, value] of Object.entries(f.counts.fused)) out.push(line('hub_crowd_people', f.cameraId, zone, value));
  out.push('# HELP hub_crowd_people_detector Latest people count from the person detector', '# TYPE hub_crowd_people_detector gauge');
  for (const f of figures) for (const [zone, value] of Object.entries(f.counts.detector)) out.push(line('hub_crowd_people_detector', f.cameraId, zone, value));
  out.push('# HELP hub_crowd_people_density Latest people count from the density map', '# TYPE hub_crowd_people_density gauge');
  for (const f of figures) for (const [zone, value] of Object.entries(f.counts.density ?? {})) out.push(line('hub_crowd_people_density', f.cameraId, zone, value));
  out.push('# HELP hub_crowd_count_age_seconds Age of the latest crowd count per camera', '# TYPE hub_crowd_count_age_seconds gauge');
  const now = Date.now();
  for (const f of figures) out.push(`hub_crowd_count_age_seconds{camera="${labelValue(f.cameraId)}"} ${Math.max(0, Math.round((now - f.at) / 1_000))}`);
  out.push('# HELP hub_crowd_alerts_open Crowd alerts raised and not yet ended', '# TYPE hub_crowd_alerts_open gauge', `hub_crowd_alerts_open ${openAlerts}`);
  return `${out.join('\n')}\n`;
}
