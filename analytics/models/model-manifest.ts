import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';

/** Tensor description kept in MANIFEST.json for humans and for the start-up shape check. */
export interface TensorSpec {
  name: string;
  shape: Array<number | string>;
  layout: string;
}

/** One file of models/MANIFEST.json. */
export interface ModelManifestEntry {
  name: string;
  file: string;
  sha256: string;
  input: TensorSpec | null;
  output: TensorSpec | null;
  licence: string;
  licenceFile: string;
  upstream: string;
}

export type ModelName =
  | 'object-detector'
  | 'plate-detector-320'
  | 'plate-detector-640'
  | 'plate-colour'
  /** Any crowd density model listed in the manifest; analytics.crowd.densityModel picks one. */
  | `crowd-density${string}`
  | 'text-recogniser'
  | 'text-dictionary';

export function readModelManifest(modelsDir: string): ModelManifestEntry[] {
  const path = join(modelsDir, 'MANIFEST.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new DomainError('MODEL_MANIFEST_UNREADABLE', `cannot read model manifest ${path}`, { cause });
  }
  const models = (parsed as { models?: unknown }).models;
  if (!Array.isArray(models) || models.some((m) => typeof m?.file !== 'string' || !/^[0-9a-f]{64}$/.test(m?.sha256))) {
    throw new DomainError('MODEL_MANIFEST_INVALID', `model manifest ${path} lacks a models list with file and sha256`);
  }
  return models as ModelManifestEntry[];
}
