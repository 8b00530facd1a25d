import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Value } from '@sinclair/typebox/value';
import { isDomainError } from '../../api/kernel/errors/domain-error.ts';
import { AnalyticsConfigSchema } from '../analytics-config.ts';
import { CrowdCounter } from '../crowd/crowd-counter.ts';
import { DensityEstimator } from '../crowd/density-estimator.ts';
import { ObjectDetector } from '../detect/object-detector.ts';
import { parseLabels, EvalReport } from '../eval/eval-report.ts';
import { ModelRegistry } from '../models/model-registry.ts';
import { loadImageFile } from '../models/raw-image.ts';
import { PLATE_READER_MODELS, PlateReader } from '../plates/plate-reader.ts';

const HELP = `Usage: npm run eval -- <folder> <labels.tsv> [--misses]

Scores the hub's analytics on any labelled folder of pictures and prints a table:
  plates: full-string match per plate type (labels with a "plate" column; an empty plate = nothing may be read;
          an optional "layers" column marks double-layer plates)
  crowd:  people counted (the hub's fused detector + density count) against a "count" column, MAE per
          density bucket (≤30, 31–150, >150)
The labels file is tab-separated with a header row: file, plate and/or count. File paths are relative to <folder>.
  --misses   also list every plate read wrong`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' }, misses: { type: 'boolean' } } });
  if (values.help) { process.stdout.write(`${HELP}\n`); return 0; }
  if (positionals.length !== 2) { process.stderr.write(`${HELP}\n`); return 2; }
  const [folder, labelsPath] = positionals.map((p) => resolve(p));
  const cases = parseLabels(await readFile(labelsPath, 'utf8'));
  const report = new EvalReport();
  const wantsPlates = cases.some((c) => c.kind === 'plate');
  const wantsCrowd = cases.some((c) => c.kind === 'crowd');
  const config = Value.Default(AnalyticsConfigSchema, {}) as ReturnType<typeof Value.Default> & { crowd: ConstructorParameters<typeof CrowdCounter>[0] };
  const registry = ModelRegistry.open([...(wantsPlates ? PLATE_READER_MODELS : []), ...(wantsCrowd ? ['object-detector', config.crowd.densityModel] as const : [])] as never);
  const reader = wantsPlates ? await PlateReader.create(registry, { intraOpThreads: 1 }) : undefined;
  const detector = wantsCrowd ? await ObjectDetector.create(registry, { intraOpThreads: 1 }) : undefined;
  const density = wantsCrowd ? await DensityEstimator.create(registry, { model: config.crowd.densityModel as never, longSide: config.crowd.densityLongSide, intraOpThreads: 1 }) : undefined;
  for (const c of cases) {
    const image = await loadImageFile(join(folder, c.file));
    if (c.kind === 'plate') {
      const read = (await reader!.readPlates(image)).filter((r) => r.formatValid).map((r) => r.plate);
      report.plate(c, read);
    } else {
      const counter = new CrowdCounter(config.crowd);
      const rect = { x: 0, y: 0, width: image.width, height: image.height };
      const counts = counter.count(0, await detector!.detect(image), [], rect, await density!.estimate(image));
      report.crowdCount(c, counts.fused._all);
    }
  }
  process.stdout.write(`${report.table()}\n`);
  if (values.misses && report.misses.length) process.stdout.write(`\nmisses:\n${report.misses.join('\n')}\n`);
  await Promise.all([reader?.release(), detector?.release(), density?.release()]);
  return 0;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(dirname(new URL(import.meta.url).pathname), 'evaluate.ts');
if (isMain) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
    const code = isDomainError(error) ? error.code : 'EVAL_FAILED';
    process.stderr.write(`${JSON.stringify({ error: { code, message: error instanceof Error ? error.message : String(error) } })}\n`);
    process.exit(1);
  });
}

export { main as runEvaluation };
