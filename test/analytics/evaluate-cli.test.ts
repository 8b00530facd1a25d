import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalReport, crowdBucket, parseLabels, plateType } from '../../analytics/eval/eval-report.ts';
import { MEDIA_DIR } from '../../devtools/sim/test-clip.ts';

const run = promisify(execFile);

describe('evaluation report', () => {
  it('reads plate and crowd labels from one TSV, with comments and an optional layers column', () => {
    const cases = parseLabels('# my city\nfile\tplate\tlayers\tcount\na.jpg\t京A12345\t\t\nb.jpg\t京E12345\t2\t\nc.jpg\t\t\t\nd.jpg\t\t\t212\n');
    expect(cases).toEqual([
      { kind: 'plate', file: 'a.jpg', plate: '京A12345' },
      { kind: 'plate', file: 'b.jpg', plate: '京E12345', layers: 2 },
      { kind: 'plate', file: 'c.jpg', plate: '' },
      { kind: 'crowd', file: 'd.jpg', count: 212 },
    ]);
    expect(() => parseLabels('name\tvalue\nx\t1\n')).toThrow(/header row/);
    expect(() => parseLabels('file\tcount\nx\tmany\n')).toThrow(/not a number/);
  });

  it('scores plates per type and crowd counts per density bucket', () => {
    expect(plateType('京A1234警')).toBe('special 警');
    expect(plateType('京E12345', 2)).toBe('double-layer');
    expect([crowdBucket(30), crowdBucket(31), crowdBucket(151)]).toEqual(['≤30', '31–150', '>150']);
    const report = new EvalReport();
    report.plate({ kind: 'plate', file: 'a', plate: '京A12345' }, ['京A12345']);
    report.plate({ kind: 'plate', file: 'b', plate: '京A12346' }, ['京A12345']);
    report.plate({ kind: 'plate', file: 'c', plate: '' }, []);
    report.crowdCount({ kind: 'crowd', file: 'd', count: 200 }, 150);
    report.crowdCount({ kind: 'crowd', file: 'e', count: 10 }, 12);
    expect(report.plateRows().find((r) => r.type === 'all')).toMatchObject({ n: 3, correct: 2 });
    expect(report.crowdRows()).toEqual([{ bucket: '≤30', n: 1, mae: 2, relativeError: 0.2 }, { bucket: '>150', n: 1, mae: 50, relativeError: 0.25 }]);
    expect(report.misses).toEqual(['b: expected 京A12346, read 京A12345']);
  });
});

describe('npm run eval', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'hub-eval-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('prints the plate table for a labelled folder (the synthetic plate types)', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'analytics/cli/evaluate.ts', join(MEDIA_DIR, 'plates/synthetic'), join(MEDIA_DIR, 'plates/synthetic/LABELS.tsv')], { timeout: 120_000 });
    expect(stdout).toMatch(/^type\tn\tcorrect\taccuracy$/m);
    expect(stdout).toMatch(/^double-layer\t2\t\d\t/m);
    expect(stdout).toMatch(/^all\t8\t\d\t/m);
  }, 150_000);

  it('counts people for crowd labels and reports the error per bucket', async () => {
    const labels = join(dir, 'crowd.tsv');
    await writeFile(labels, 'file\tcount\nscenes/people_demo.png\t200\n');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'analytics/cli/evaluate.ts', MEDIA_DIR, labels], { timeout: 120_000 });
    const row = /^>150\t1\t([\d.]+)\t([\d.]+)%$/m.exec(stdout);
    expect(row, stdout).not.toBeNull();
    // A handful of people against a label of 200: the error is most of the label, whatever the exact count.
    expect(Number(row![1])).toBeGreaterThan(150);
  }, 150_000);

  it('refuses a labels file without the needed columns, with a code', async () => {
    const labels = join(dir, 'bad.tsv');
    await writeFile(labels, 'name\tvalue\nx\t1\n');
    const failure = await run(process.execPath, ['--import', 'tsx', 'analytics/cli/evaluate.ts', MEDIA_DIR, labels], { timeout: 60_000 }).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(JSON.parse(failure.stderr.trim().split('\n').pop())).toMatchObject({ error: { code: 'EVAL_FAILED' } });
  }, 90_000);
});
