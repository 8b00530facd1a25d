import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MODELS_DIR, ModelRegistry } from '../../analytics/models/model-registry.ts';
import { throwsAsAnswered } from '../helpers/edge-error.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function copyOfModels(files: string[]): string {
  dir = mkdtempSync(join(tmpdir(), 'hub-models-'));
  for (const f of ['MANIFEST.json', ...files]) copyFileSync(join(DEFAULT_MODELS_DIR, f), join(dir, f));
  return dir;
}

describe('model registry', () => {
  it('verifies every committed model file against MANIFEST.json', () => {
    const all = ['object-detector', 'plate-detector-320', 'plate-detector-640', 'plate-colour', 'text-recogniser', 'text-dictionary'] as const;
    expect(() => ModelRegistry.open(all)).not.toThrow();
  });

  it('fails with MODEL_FILE_MISSING when a file is absent', () => {
    const models = copyOfModels([]);
    expect(() => ModelRegistry.open(['plate-colour'], models)).toThrow(expect.objectContaining({ code: 'MODEL_FILE_MISSING' }));
  });

  it('fails with MODEL_FILE_ALTERED when a file was changed', () => {
    const models = copyOfModels(['ppocr_keys_v1.txt']);
    writeFileSync(join(models, 'ppocr_keys_v1.txt'), 'tampered\n', { flag: 'a' });
    expect(throwsAsAnswered(() => ModelRegistry.open(['text-dictionary'], models))).toThrow(expect.objectContaining({ code: 'MODEL_FILE_ALTERED', status: 500 }));
  });

  it('fails with MODEL_MANIFEST_UNREADABLE without a manifest', () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-models-'));
    expect(() => ModelRegistry.open([], dir)).toThrow(expect.objectContaining({ code: 'MODEL_MANIFEST_UNREADABLE' }));
  });
});
