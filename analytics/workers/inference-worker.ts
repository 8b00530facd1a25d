import { parentPort, workerData } from 'node:worker_threads';
import { isDomainError } from '../../api/kernel/errors/domain-error.ts';
import { DensityEstimator } from '../crowd/density-estimator.ts';
import { ObjectDetector } from '../detect/object-detector.ts';
import { ModelRegistry } from '../models/model-registry.ts';
import type { ModelName } from '../models/model-manifest.ts';
import { PLATE_READER_MODELS, PlateReader } from '../plates/plate-reader.ts';
import type { InferenceResult, InferenceWorkerData, TaskMessage, WorkerMessage } from './inference-messages.ts';

/**
 * Worker thread entry: loads the models once (one ORT thread each, the pool supplies the parallelism),
 * then runs one task at a time. A failing task is reported; only a crash takes the thread down.
 */
const data = workerData as InferenceWorkerData;
const port = parentPort!;
const wantsObjects = data.kinds.includes('objects') || data.kinds.includes('all');
const wantsPlates = data.kinds.includes('plates') || data.kinds.includes('all');

const required: ModelName[] = [];
if (wantsObjects) required.push('object-detector');
if (wantsPlates) required.push(...PLATE_READER_MODELS);
const registry = ModelRegistry.open(required, data.modelsDir);
const detector = wantsObjects ? await ObjectDetector.create(registry, { intraOpThreads: 1, tiles: data.detectorTiles ?? 1 }) : undefined;
const plateReader = wantsPlates ? await PlateReader.create(registry, { intraOpThreads: 1, farPlates: data.farPlates === true }) : undefined;
// Loaded on first use: most cameras have no crowd zones, and a hub without any should not pay for the model.
let densityEstimator: Promise<DensityEstimator> | undefined;
function density(): Promise<DensityEstimator> {
  const options = data.density ?? { model: 'crowd-density', longSide: 1024 };
  densityEstimator ??= DensityEstimator.create(ModelRegistry.open([options.model as ModelName], data.modelsDir), {
    model: options.model as ModelName, longSide: options.longSide, intraOpThreads: 1,
  }).catch((error: unknown) => { densityEstimator = undefined; throw error; });
  return densityEstimator;
}

async function run(task: TaskMessage): Promise<InferenceResult> {
  const started = performance.now();
  const image = { data: task.data, width: task.width, height: task.height, channels: task.channels };
  const result: InferenceResult = { workerMs: 0 };
  if (task.kind === 'objects' || task.kind === 'all') {
    if (!detector) throw new Error('this pool was started without the object detector');
    result.objects = await detector.detect(image);
  }
  if (task.kind === 'plates' || task.kind === 'all') {
    if (!plateReader) throw new Error('this pool was started without the plate reader');
    result.plates = await plateReader.readPlates(image);
  }
  if (task.density) result.density = await (await density()).estimate(image);
  result.workerMs = performance.now() - started;
  return result;
}

port.on('message', (task: TaskMessage) => {
  run(task).then(
    (result) => port.postMessage({ type: 'result', taskId: task.taskId, result } satisfies WorkerMessage),
    (error: unknown) =>
      port.postMessage({
        type: 'task-error',
        taskId: task.taskId,
        code: isDomainError(error) ? error.code : 'INFERENCE_FAILED',
        message: error instanceof Error ? error.message : String(error),
      } satisfies WorkerMessage),
  );
});
port.postMessage({ type: 'ready' } satisfies WorkerMessage);
