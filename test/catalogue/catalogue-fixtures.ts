import type { CameraCategory, CameraStatus } from '../../api/kernel/db/tables/index.ts';
import type { TestHub } from '../helpers/test-hub.ts';

export interface SeededCamera {
  id: string;
  name: string;
  departmentId: string;
  category: CameraCategory;
  status: CameraStatus;
  lat: number;
  lon: number;
}

const STATUSES: CameraStatus[] = ['online', 'online', 'offline', 'unknown'];
const STREETS = ['南京东路', '延安东路', '人民大道', '西藏中路', '福州路'];

/**
 * `count` catalogue rows spread over the three test departments, on a grid around People's Square, with
 * names, addresses and statuses that searches and filters can pick out. Inserted in batches (the registry
 * would probe nothing: their stream URLs lead nowhere, and nothing pulls them in these tests).
 */
export async function seedCatalogue(t: TestHub, count: number, prefix = 'Grid'): Promise<SeededCamera[]> {
  const departments: Array<[string, CameraCategory]> = [[t.departments.ps, 'public_security'], [t.departments.traffic, 'traffic'], [t.departments.community, 'community']];
  const now = Date.now();
  const seeded: SeededCamera[] = [];
  const rows = Array.from({ length: count }, (_, i) => {
    const [departmentId, category] = departments[i % 3]!;
    const camera: SeededCamera = {
      id: `${prefix.toLowerCase()}-${String(i).padStart(5, '0')}`, name: `${prefix} ${String(i).padStart(4, '0')}`, departmentId, category,
      status: STATUSES[i % STATUSES.length]!, lat: 31.20 + (Math.floor(i / 25) * 0.004), lon: 121.44 + ((i % 25) * 0.003),
    };
    seeded.push(camera);
    return {
      id: camera.id, name: camera.name, department_id: departmentId, category, lat: camera.lat, lon: camera.lon,
      address: `上海市黄浦区${STREETS[i % STREETS.length]}${i + 1}号`, stream_url: `rtsp://127.0.0.1:9/${camera.id}`, sub_stream_url: null, snapshot_url: null,
      onvif_xaddr: null, credentials_enc: null, status: camera.status, last_seen_at: null, status_changed_at: null, ptz: 0, analytics_enabled: 0,
      source: 'manual' as const, created_at: now, updated_at: now, national_id: `3101010000131${String(i).padStart(7, '0')}`,
    };
  });
  for (let i = 0; i < rows.length; i += 100) await t.hub.ctx.db.insertInto('cameras').values(rows.slice(i, i + 100)).execute();
  return seeded;
}
