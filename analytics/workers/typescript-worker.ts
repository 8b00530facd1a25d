import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

let tsxApiUrl: string | undefined;

/** tsx's ESM register() API, resolved through its package.json exports (the CJS build cannot be imported). */
function resolveTsxApi(): string {
  if (tsxApiUrl) return tsxApiUrl;
  const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
  const exportsMap = JSON.parse(readFileSync(packageJson, 'utf8')).exports['./esm/api'];
  tsxApiUrl = pathToFileURL(join(dirname(packageJson), exportsMap.import.default)).href;
  return tsxApiUrl;
}

// CommonJS bootstrap evaluated in the new thread: register tsx's loader there, then load the .ts entry.
const BOOTSTRAP = `const { workerData } = require('node:worker_threads');
import(workerData.__tsxApi)
  .then((api) => { api.register(); return import(workerData.__entry); })
  .catch((error) => { setImmediate(() => { throw error; }); });`;

/**
 * Starts a worker thread running a .ts file. On Node 20 a worker ignores `execArgv: ['--import', 'tsx']`
 * for its own entry point (it fails with ERR_UNKNOWN_FILE_EXTENSION, measured on 20.20), so the thread
 * starts from a tiny eval'd bootstrap that registers tsx and imports the entry. Works the same under
 * `node --import tsx` and under vitest; an uncaught error in the entry surfaces as the worker's 'error'.
 */
export function startTypeScriptWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const workerData = { ...(options.workerData as object | undefined), __tsxApi: resolveTsxApi(), __entry: entry.href };
  return new Worker(BOOTSTRAP, { ...options, eval: true, workerData });
}
