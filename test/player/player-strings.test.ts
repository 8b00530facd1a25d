import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// The player's words live in catalogues (player/web/i18n/messages/), Chinese first with English beside it.
// These checks keep that true as pages change: every key a page asks for exists in both languages, both
// languages have the same keys, and no page carries an English sentence of its own.
const WEB = join(process.cwd(), 'player', 'web');
// Plain browser modules without types: loaded by URL so TypeScript does not look for declarations.
const { NAMESPACES } = (await import(pathToFileURL(join(WEB, 'i18n/messages/index.js')).href)) as { NAMESPACES: Record<string, Record<string, Record<string, string>>> };
// Rewritten with t() by the helpers working on the camera catalogue (17b) and the wall (17c) in parallel.
const NOT_YET_CONVERTED = new Set(['pages/cameras.js']);

function webFiles(dir = WEB): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'i18n' ? [] : webFiles(path);
    return name.endsWith('.js') ? [relative(WEB, path)] : [];
  });
}

const catalogue = (locale: 'zh-CN' | 'en') => new Set(Object.entries(NAMESPACES)
  .flatMap(([namespace, messages]) => Object.keys(messages[locale] ?? {}).map((key) => `${namespace}.${key}`)));

describe('player message catalogues', () => {
  const zh = catalogue('zh-CN');
  const en = catalogue('en');

  it('has the same keys in Chinese and English', () => {
    expect([...zh].filter((key) => !en.has(key))).toEqual([]);
    expect([...en].filter((key) => !zh.has(key))).toEqual([]);
    expect(zh.size).toBeGreaterThan(300);
  });

  it('has every key a page asks for with t(\'…\') in both languages', () => {
    const missing: string[] = [];
    let asked = 0;
    for (const file of webFiles()) {
      const source = readFileSync(join(WEB, file), 'utf8');
      for (const match of source.matchAll(/\bt\(\s*'([a-zA-Z]+\.[A-Za-z0-9_.-]+)'/g)) {
        asked++;
        if (!zh.has(match[1]!) || !en.has(match[1]!)) missing.push(`${file}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
    expect(asked).toBeGreaterThan(250);
  });

  it('finds no English sentence hard-coded in a page (text belongs in the catalogues)', () => {
    // Class lists ('notice error') and selectors ('tbody tr') are made of CSS class and tag names, not text.
    const css = readdirSync(WEB).filter((name) => name.endsWith('.css')).map((name) => readFileSync(join(WEB, name), 'utf8')).join('\n');
    const classes = new Set([...css.matchAll(/\.([a-z][a-z0-9-]*)/g)].map((m) => m[1]!));
    const markup = (text: string) => text.split(' ').every((word) => classes.has(word) || /^(tbody|thead|tr|td|th|li|ul|div|span|a|button|input|select)$/.test(word));
    const found: string[] = [];
    for (const file of webFiles()) {
      if (NOT_YET_CONVERTED.has(file)) continue;
      readFileSync(join(WEB, file), 'utf8').split('\n').forEach((line, i) => {
        const code = line.replace(/^\s*(\/\/|\*|\/\*\*).*$/, '').replace(/\/\/ .*$/, '');
        // A quoted or templated run of two or more English words, e.g. 'No access' or `Request sent`.
        for (const match of code.matchAll(/(['`])([A-Z]?[a-z]+(?: [a-z]+)+[.!…]?)\1/g)) if (!markup(match[2]!) && !/(class:\s*|className\s*=\s*)$/.test(code.slice(0, match.index))) found.push(`${file}:${i + 1}: ${match[2]}`);
        for (const match of code.matchAll(/(['`])([A-Z][a-z]{2,}[.!…]?)\1/g)) found.push(`${file}:${i + 1}: ${match[2]}`);
      });
    }
    expect(found).toEqual([]);
  });
});
