import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** How often the background connection copies the WAL back into the database file. */
const CHECKPOINT_EVERY_MS = 250;
/**
 * The writer's own automatic checkpoint, kept only as a backstop (pages of the WAL; 4 KiB each): it runs on
 * the event loop inside a commit, so it fires only if the background thread falls far behind or has died.
 */
const BACKSTOP_WAL_PAGES = 10_000;
const SQLITE_DEFAULT_WAL_PAGES = 1_000;

// CommonJS, evaluated in the thread: its own connection to the same file, a PASSIVE checkpoint per period
// (never blocks the writer or readers), one last one at stop.
const THREAD = `const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
let timer;
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage({ error: String(error && error.message || error) }); } };
const tick = () => { checkpoint(); timer = setTimeout(tick, workerData.everyMs); };
parentPort.on('message', () => { clearTimeout(timer); checkpoint(); db.close(); parentPort.close(); });
tick();`;

/**
 * Checkpoints a WAL-mode SQLite file from a worker thread. SQLite's automatic checkpoint runs in the
 * committing connection: on the hub's event loop, it copied the WAL into the database and synced it every
 * thousand pages, 35% of a 50-row pass insert's time (measured: 2.26 ms a batch, 1.44 with checkpoints
 * rarer, 1.10 with no sync at all). The writer keeps a far larger automatic threshold as a backstop, and
 * gets SQLite's default back if the thread fails.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;
  private stopped: Promise<void> | undefined;
  private exited = false;
  lastError: string | undefined;

  constructor(private readonly handle: SQLite.Database, file: string) {
    handle.pragma(`wal_autocheckpoint = ${BACKSTOP_WAL_PAGES}`);
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(THREAD, { eval: true, workerData: { driver, file, everyMs: CHECKPOINT_EVERY_MS } });
    this.worker.unref();
    this.worker.on('message', (message: { error?: string }) => { this.lastError = message.error; });
    this.worker.on('error', (error) => this.fallBack(error.message));
    this.worker.on('exit', () => {
      this.exited = true;
      if (!this.stopped) this.fallBack('checkpoint thread exited');
    });
  }

  /** One last checkpoint, then the thread ends (before the writer's connection closes). */
  stop(): Promise<void> {
    this.stopped ??= this.exited ? Promise.resolve() : new Promise<void>((resolve) => {
      // Referenced again while it finishes: an unreferenced thread would let the process end before its exit
      // (and a caller awaiting close() would never resume).
      this.worker.ref();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage('stop');
      // A thread stuck in a checkpoint (a very slow disk) does not hold up shutdown for long.
      setTimeout(() => void this.worker.terminate(), 5_000).unref();
    });
    return this.stopped;
  }

  private fallBack(reason: string): void {
    this.lastError = reason;
    if (this.handle.open) this.handle.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_WAL_PAGES}`);
  }
}
