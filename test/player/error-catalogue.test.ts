import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// The API answers errors as { code, message } with an English message; the player shows the words of the code
// from its `errors` catalogue (Chinese and English). This lists every code the server code can answer with and
// fails when the catalogue lacks one, so a new error code cannot reach users as an untranslated message.
const ROOT = process.cwd();
// Plain browser modules without types: loaded by URL so TypeScript does not look for declarations.
const errors = (await import(pathToFileURL(join(ROOT, 'player/web/i18n/messages/errors.js')).href)).default as Record<'zh-CN' | 'en', Record<string, string>>;
const SERVER_FOLDERS = ['api', 'ingest', 'relay', 'analytics', 'player'];
const CODE = "'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'";
const PATTERNS = [
  // new HubError('X', …), new DomainError('X', …), badRequest('X', …) and the other status helpers
  new RegExp(`(?:new (?:HubError|DomainError)|\\b(?:badRequest|unauthorized|forbidden|notFound|conflict|unavailable|tooLarge|refusal|fail|reject|error)\\w*)\\(\\s*${CODE}`, 'g'),
  new RegExp(`\\bcode: ${CODE}`, 'g'), // { code: 'X' } answers and FastifyError mappings
  new RegExp(`\\bstartErrorCode: ${CODE}`, 'g'), // a subprocess that fails to start
  new RegExp(`[\\[(]\\d{3}, ${CODE}`, 'g'), // [status, 'X', message] tables and rawResponse(status, 'X', …) (slow-client limits)
  new RegExp(`\\?\\? ${CODE}`, 'g'), // fallbacks: error.code ?? 'X'
];
// Codes of command-line tools, never an HTTP answer.
const CLI_ONLY = new Set(['ANALYZE_FAILED', 'CONFIG_INVALID']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return path.endsWith(join('player', 'web')) ? [] : sourceFiles(path);
    return /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function serverErrorCodes(): Set<string> {
  const codes = new Set<string>();
  for (const file of SERVER_FOLDERS.flatMap((folder) => sourceFiles(join(ROOT, folder)))) {
    const source = readFileSync(file, 'utf8');
    for (const pattern of PATTERNS) for (const match of source.matchAll(pattern)) codes.add(match[1]!);
  }
  // DomainError codes the HTTP edge maps to a status.
  const statuses = readFileSync(join(ROOT, 'api/kernel/errors/domain-error-status.ts'), 'utf8');
  for (const match of statuses.matchAll(/^\s+([A-Z][A-Z0-9_]+): \d{3},/gm)) codes.add(match[1]!);
  for (const code of CLI_ONLY) codes.delete(code);
  return codes;
}

describe('error code catalogue', () => {
  const codes = serverErrorCodes();

  it('finds the error codes of the server source', () => {
    // A sanity floor: the patterns still match how the code throws.
    expect(codes.size).toBeGreaterThan(150);
    for (const known of ['CAMERA_NOT_FOUND', 'LOGIN_FAILED', 'VALIDATION_FAILED', 'RATE_LIMITED', 'PLATE_PATTERN_INVALID', 'TOO_MANY_CONNECTIONS', 'SNAPSHOT_FFMPEG']) {
      expect(codes).toContain(known);
    }
  });

  it('has Chinese and English words for every code the API can answer with', () => {
    const zh = errors['zh-CN'];
    const en = errors.en;
    expect([...codes].filter((code) => !zh[code]).sort()).toEqual([]);
    expect([...codes].filter((code) => !en[code]).sort()).toEqual([]);
    // Chinese text is Chinese.
    expect(Object.entries(zh).filter(([, text]) => !/[\u4e00-\u9fff]/.test(text)).map(([code]) => code)).toEqual([]);
  });
});
