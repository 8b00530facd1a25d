import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '../kernel/errors/domain-error.ts';

const FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts'];
/** CJK fonts by preference: Noto Sans CJK (fonts-noto-cjk, scripts/setup.sh), then other common ones. */
const PREFERRED = [/NotoSansCJK-Regular\.ttc$/, /NotoSansCJK.*\.tt[cf]$/, /NotoSansCJK.*\.otf$/, /NotoSerifCJK.*\.tt[cf]$/, /wqy-(zenhei|microhei)\.tt[cf]$/, /DroidSansFallback.*\.ttf$/];

let found: Promise<string> | undefined;

async function walk(dir: string, depth: number, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth < 4) await walk(path, depth + 1, out);
    else if (entry.isFile() && /\.(ttc|ttf|otf)$/i.test(entry.name)) out.push(path);
  }
}

/**
 * The font file for burned-in captions: the configured one, else the first CJK font found in the system
 * font folders (what `fc-list :lang=zh` lists on Debian with fonts-noto-cjk). Chinese camera names and
 * operators need it; without one, caption exports fail with CAPTION_FONT_MISSING.
 */
export function captionFont(configured: string): Promise<string> {
  if (configured) return access(configured).then(() => configured, (cause: unknown) => { throw new DomainError('CAPTION_FONT_MISSING', `caption font ${configured} cannot be read`, { cause }); });
  found ??= (async () => {
    const files: string[] = [];
    for (const dir of FONT_DIRS) await walk(dir, 0, files);
    for (const pattern of PREFERRED) {
      const hit = files.sort().find((f) => pattern.test(f));
      if (hit) return hit;
    }
    found = undefined;
    throw new DomainError('CAPTION_FONT_MISSING', 'no CJK font installed for captions (install fonts-noto-cjk, or set playback.captionFont)');
  })();
  return found;
}
