import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, sqliteHandleOf, type HubDatabase } from '../../api/kernel/db/database.ts';
import { SqliteCheckpointer } from '../../api/kernel/db/sqlite-checkpointer.ts';

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The hub's SQLite file is checkpointed by a background thread, not inside the event loop's commits: the
 * writer's own automatic checkpoint fires only far later (a backstop), and comes back to SQLite's default
 * when the thread cannot work.
 */
describe('SQLite WAL checkpoints off the event loop', () => {
  const dirs: string[] = [];
  let hub: HubDatabase | undefined;
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-checkpointer-'));
    dirs.push(dir);
    return dir;
  };

  it('copies committed pages into the database file while the writer only commits', async () => {
    const dir = scratch();
    hub = openDatabase({ url: '', dataDir: dir });
    const handle = sqliteHandleOf(hub.db)!;
    const file = join(dir, 'hub.sqlite');
    // The writer would not checkpoint before 10,000 pages (40 MB) of WAL.
    expect(handle.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    handle.exec('create table filler (n integer primary key, text text not null)');
    const insert = handle.prepare('insert into filler (text) values (?)');
    const before = statSync(file).size;
    // 8 MB in 2,000 commits: far under the writer's threshold, so only the thread can move it into the file.
    for (let i = 0; i < 2_000; i++) insert.run('x'.repeat(4_000));
    await until('the database file holding the committed rows', () => statSync(file).size >= before + 7_000_000);
    expect(handle.prepare('select count(*) as n from filler').get()).toEqual({ n: 2_000 });
  });

  it('stops with the database: one last checkpoint, the thread ends, nothing left in the WAL', async () => {
    const dir = scratch();
    const db = openDatabase({ url: '', dataDir: dir });
    const handle = sqliteHandleOf(db.db)!;
    handle.exec('create table filler (n integer primary key, text text not null)');
    const insert = handle.prepare('insert into filler (text) values (?)');
    for (let i = 0; i < 200; i++) insert.run('y'.repeat(4_000));
    await db.close();
    const wal = join(dir, 'hub.sqlite-wal');
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    const reopened = new SQLite(join(dir, 'hub.sqlite'), { readonly: true });
    expect(reopened.prepare('select count(*) as n from filler').get()).toEqual({ n: 200 });
    reopened.close();
  });

  it('close() resumes its caller in a process with nothing else to do (a CLI sets its exit code after it)', async () => {
    const dir = scratch();
    const fixture = new URL('./sqlite-close-exit.fixture.ts', import.meta.url).pathname;
    // A plain CLI's environment: under the test runner's variables something else keeps the process alive.
    const code = await new Promise<number | null>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', fixture, dir], { timeout: 60_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } }, (error) => resolve(error ? (error as { code?: number }).code ?? null : 0));
    });
    // 13 = the process ended with close() still pending (the checkpoint thread was not waited for).
    expect(code).toBe(3);
  });

  it('a thread that cannot open the file gives the writer back SQLite\'s own automatic checkpoint', async () => {
    const dir = scratch();
    const handle = new SQLite(join(dir, 'writer.sqlite'));
    handle.pragma('journal_mode = WAL');
    const checkpointer = new SqliteCheckpointer(handle, join(dir, 'missing', 'other.sqlite'));
    try {
      await until('the fallback to the default threshold', () => handle.pragma('wal_autocheckpoint', { simple: true }) === 1_000);
      expect(checkpointer.lastError).toBeTruthy();
      await checkpointer.stop();
    } finally {
      handle.close();
    }
  });
});
