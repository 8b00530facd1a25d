import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Keeps docs/DEVELOPING.md honest: its layout table names every code folder of the repository (two
// levels deep), and every folder it names exists. Moving a folder without the doc fails here.
const ROOT = resolve(import.meta.dirname, '../..');
const doc = readFileSync(join(ROOT, 'docs/DEVELOPING.md'), 'utf8');

function layoutFolders(): string[] {
  const section = doc.split(/^## /m).find((part) => part.startsWith('Layout'));
  if (!section) throw new Error('docs/DEVELOPING.md has no "## Layout" section');
  return [...section.matchAll(/^\|\s*`([^`]+)`/gm)].map((m) => m[1]!.replace(/\/$/, ''));
}

/** Folders holding tracked files, as git sees them (so data/ and test output never count). */
function trackedFolders(depth: number): string[] {
  const files = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.split('/');
    if (parts.length > depth) folders.add(parts.slice(0, depth).join('/'));
  }
  return [...folders].filter((f) => !f.split('/').some((p) => p.startsWith('.')));
}

// Folders whose inside is data or tests rather than code layout: named at the top level only.
const LEAF_AREAS = new Set(['test', 'media', 'models', 'docs', 'bench', 'scripts']);

describe('docs/DEVELOPING.md layout table', () => {
  const named = layoutFolders();

  it('names only folders that exist', () => {
    const missing = named.filter((folder) => !existsSync(join(ROOT, folder)) || !statSync(join(ROOT, folder)).isDirectory());
    expect(missing).toEqual([]);
  });

  it('names every top-level folder', () => {
    expect(trackedFolders(1).filter((folder) => !named.includes(folder))).toEqual([]);
  });

  it('names every code folder one level down', () => {
    const unnamed = trackedFolders(2)
      .filter((folder) => !LEAF_AREAS.has(folder.split('/')[0]!))
      .filter((folder) => !named.includes(folder));
    expect(unnamed).toEqual([]);
  });
});
