import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { readModelManifest, type ModelManifestEntry, type ModelName } from './model-manifest.ts';

export const DEFAULT_MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../models');

export interface SessionOptions {
  /** ORT intra-op threads; 1 inside pool workers so that N workers use N cores without oversubscription. */
  intraOpThreads?: number;
}

/**
 * The models folder, checked once: every file the caller needs must exist and match the sha256 in
 * MANIFEST.json, so a truncated download or a swapped file fails start-up instead of giving wrong plates.
 */
export class ModelRegistry {
  private readonly entries = new Map<string, ModelManifestEntry>();
  private readonly bytes = new Map<string, Buffer>();

  private constructor(readonly modelsDir: string) {}

  static open(required: readonly ModelName[], modelsDir = DEFAULT_MODELS_DIR): ModelRegistry {
    const registry = new ModelRegistry(modelsDir);
    for (const entry of readModelManifest(modelsDir)) registry.entries.set(entry.name, entry);
    for (const name of required) registry.verify(name);
    return registry;
  }

  entry(name: ModelName): ModelManifestEntry {
    const entry = this.entries.get(name);
    if (!entry) throw new DomainError('MODEL_UNKNOWN', `model ${name} is not listed in ${this.modelsDir}/MANIFEST.json`);
    return entry;
  }

  /** Verified file contents (read once, hashed once). */
  fileBytes(name: ModelName): Buffer {
    return this.verify(name);
  }

  async createSession(name: ModelName, options: SessionOptions = {}): Promise<ort.InferenceSession> {
    const bytes = this.verify(name);
    try {
      return await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: options.intraOpThreads ?? 0,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3, // the recogniser's exporter left initialisers as inputs; ORT warns about each one
      });
    } catch (cause) {
      throw new DomainError('MODEL_LOAD_FAILED', `onnxruntime could not load ${this.entry(name).file}`, { cause });
    }
  }

  private verify(name: ModelName): Buffer {
    const cached = this.bytes.get(name);
    if (cached) return cached;
    const entry = this.entry(name);
    const path = join(this.modelsDir, entry.file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (cause) {
      throw new DomainError('MODEL_FILE_MISSING', `model file ${path} is missing: restore models/ from the repository`, { cause });
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== entry.sha256) {
      throw new DomainError('MODEL_FILE_ALTERED', `model file ${path} has sha256 ${actual}, MANIFEST.json expects ${entry.sha256}`, {
        details: { file: entry.file, expected: entry.sha256, actual },
      });
    }
    this.bytes.set(name, bytes);
    return bytes;
  }
}
