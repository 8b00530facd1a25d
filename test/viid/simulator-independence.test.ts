import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect, it } from 'vitest';

// The GA/T 1400 simulator is written from the standard, not from the server it tests: nothing under
// devtools/sim/gat1400 may import api/viid or api/checkpoint (a shared mistake would then pass unnoticed).
const ROOT = resolve(import.meta.dirname, '../..');
const SIM = join(ROOT, 'devtools/sim/gat1400');

/** Every repository file a simulator file imports, following relative imports through the tree. */
function reachable(): Set<string> {
  const seen = new Set<string>();
  const queue = readdirSync(SIM).filter((f) => f.endsWith('.ts')).map((f) => join(SIM, f));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), match[1]!);
      if (target.endsWith('.ts') || target.endsWith('.js')) queue.push(target);
    }
  }
  return seen;
}

it('the GA/T 1400 simulator imports nothing of the 视图库 server or the checkpoint feature, directly or not', () => {
  const files = [...reachable()].map((file) => relative(ROOT, file));
  expect(files.length).toBeGreaterThan(5);
  expect(files.filter((file) => file.startsWith('api/viid/') || file.startsWith('api/checkpoint/'))).toEqual([]);
});
