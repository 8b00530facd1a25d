import { parseArgs } from 'node:util';
import { isDomainError } from '../../api/kernel/errors/domain-error.ts';
import { countPersons, countVehicles } from '../detect/crowd.ts';
import { ObjectDetector } from '../detect/object-detector.ts';
import { ModelRegistry } from '../models/model-registry.ts';
import { DEFAULT_MAX_INPUT_PIXELS, loadImageFile } from '../models/raw-image.ts';
import { PLATE_READER_MODELS, PlateReader } from '../plates/plate-reader.ts';

const HELP = `Usage: npm run analyze -- <image> [--max-pixels N]

Reads licence plates and counts persons and vehicles in one picture (JPEG, PNG, WebP, ...).
Prints JSON: { image, width, height, persons, vehicles, objects, plates }.

Options:
  --max-pixels N   refuse images with more pixels than N (default ${DEFAULT_MAX_INPUT_PIXELS})
  -h, --help       show this help

Errors print {"error":{"code","message"}} on stderr and exit with status 1
(codes: USAGE, IMAGE_NOT_FOUND, IMAGE_UNREADABLE, IMAGE_DECODE_FAILED, IMAGE_TOO_LARGE, MODEL_*).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, 'max-pixels': { type: 'string' } },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw usage('expected exactly one image path');
  const maxPixels = values['max-pixels'] === undefined ? DEFAULT_MAX_INPUT_PIXELS : Number(values['max-pixels']);
  if (!Number.isInteger(maxPixels) || maxPixels < 1) throw usage('--max-pixels must be a positive integer');

  const image = await loadImageFile(positionals[0], maxPixels);
  const registry = ModelRegistry.open(['object-detector', ...PLATE_READER_MODELS]);
  const [detector, reader] = await Promise.all([ObjectDetector.create(registry), PlateReader.create(registry)]);
  const objects = await detector.detect(image);
  const plates = await reader.readPlates(image);
  const round = (v: number) => Math.round(v * 10) / 10;
  const report = {
    image: positionals[0],
    width: image.width,
    height: image.height,
    persons: countPersons(objects),
    vehicles: countVehicles(objects),
    objects: objects.map((o) => ({ className: o.className, score: Math.round(o.score * 1000) / 1000, box: mapValues(o.box, round) })),
    plates: plates.map((p) => ({
      ...p,
      confidence: Math.round(p.confidence * 1000) / 1000,
      charConfidences: p.charConfidences.map((c) => Math.round(c * 1000) / 1000),
      detectionScore: Math.round(p.detectionScore * 1000) / 1000,
      box: mapValues(p.box, round),
      corners: p.corners.map((c) => mapValues(c, round)),
    })),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  await Promise.all([detector.release(), reader.release()]);
  return 0;
}

function mapValues<T extends object>(value: T, fn: (v: number) => number): T {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fn(v as number)])) as T;
}

function usage(message: string) {
  return Object.assign(new Error(`${message}\n\n${HELP}`), { code: 'USAGE' });
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    const code = isDomainError(error) ? error.code : ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 'USAGE' : (error as { code?: string }).code) ?? 'ANALYZE_FAILED';
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${JSON.stringify({ error: { code, message } })}\n`);
    process.exitCode = 1;
  },
);
