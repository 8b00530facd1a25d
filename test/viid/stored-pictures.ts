import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassPictures } from '../../api/checkpoint/pass-pictures.ts';
import type { TestHub } from '../helpers/test-hub.ts';

/** What the hub holds of received pictures: those its pass rows name and can still read, and what is on disk. */
export async function storedPictures(t: TestHub): Promise<{ named: number; files: number; volumeBytes: number }> {
  const imagesDir = join(t.hub.ctx.dataDir, 'images');
  const pictures = new PassPictures(imagesDir);
  const rows = await t.hub.ctx.db.selectFrom('checkpoint_passes').select(['crop_image_path', 'scene_image_path']).execute();
  let named = 0;
  for (const row of rows) for (const stored of [row.crop_image_path, row.scene_image_path]) if (await pictures.present(stored)) named++;
  let entries: string[] = [];
  try { entries = readdirSync(imagesDir, { recursive: true }).map(String); } catch { /* no picture yet */ }
  const files = entries.filter((name) => name.endsWith('.jpg')).length;
  const volumeBytes = entries.filter((name) => name.endsWith('.pack')).reduce((sum, name) => sum + statSync(join(imagesDir, name)).size, 0);
  return { named, files, volumeBytes };
}
