import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The seams docs/DEVELOPING.md promises, checked on the source: the kernel imports no feature, each shared
// table has one owner that runs its SQL, and features reach each other only through typed wiring.
const ROOT = resolve(import.meta.dirname, '../..');
const PRODUCT = ['api', 'ingest', 'relay', 'recording', 'analytics', 'player', 'devtools', 'bench'];

function sources(prefixes: string[]): string[] {
  const files = execFileSync('git', ['ls-files', ...prefixes], { cwd: ROOT, encoding: 'utf8' }).split('\n');
  return files.filter((file) => /\.(ts|js)$/.test(file));
}

/** Relative import specifiers of a file, resolved to repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|declare module\s+)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((spec) => relative(ROOT, resolve(ROOT, dirname(file), spec)));
}

/** Files outside `owner` whose source matches `pattern`. */
function usersOutside(pattern: RegExp, owner: string): string[] {
  return sources(PRODUCT).filter((file) => file !== owner && pattern.test(readFileSync(join(ROOT, file), 'utf8')));
}

describe('layering', () => {
  it('the kernel imports nothing outside api/kernel', () => {
    const leaks = sources(['api/kernel']).flatMap((file) =>
      importsOf(file).filter((target) => !target.startsWith('api/kernel/')).map((target) => `${file} -> ${target}`));
    expect(leaks).toEqual([]);
  });

  it('only CameraRepository runs SQL on the cameras table or reads sealed credentials', () => {
    const owner = 'ingest/registry/camera-repository.ts';
    expect(usersOutside(/(selectFrom|insertInto|updateTable|deleteFrom)\(\s*'cameras'/, owner)).toEqual([]);
    // A read is `row.credentials_enc` or a selected 'credentials_enc' column (the log redaction path '*.credentials_enc' is neither).
    expect(usersOutside(/(?<!\*)\.credentials_enc\b|'credentials_enc'/, owner).filter((file) => !file.startsWith('api/kernel/db/'))).toEqual([]);
  });

  it('only GrantRepository runs SQL on the grants table', () => {
    expect(usersOutside(/(selectFrom|insertInto|updateTable|deleteFrom)\(\s*'grants'/, 'api/access/grant-repository.ts')).toEqual([]);
  });

  it('no string-keyed service lookups or duck checks between features', () => {
    expect(usersOutside(/ctx\.service\s*[<(]|\.service<|typeof \w+\.\w+ === 'function'/, '')).toEqual([]);
  });
});
