import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatementCache } from '../../api/kernel/db/statement-cache.ts';

interface Tables {
  items: { id: number; name: string };
}

describe('StatementCache (prepared statements for Kysely on SQLite)', () => {
  let dir: string;
  let handle: SQLite.Database;
  let cache: StatementCache;
  let db: Kysely<Tables>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hub-statements-'));
    handle = new SQLite(join(dir, 'test.sqlite'));
    handle.exec('create table items (id integer primary key, name text not null)');
    const insert = handle.prepare('insert into items (id, name) values (?, ?)');
    for (let i = 1; i <= 20; i++) insert.run(i, `item ${i}`);
    cache = new StatementCache(handle, 4);
    db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: cache }) });
  });
  afterEach(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('prepares each SQL text once: repeated queries reuse the statement and still see their own parameters', async () => {
    const names = [];
    for (const id of [3, 7, 11]) names.push((await db.selectFrom('items').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name);
    expect(names).toEqual(['item 3', 'item 7', 'item 11']);
    expect(cache.size).toBe(1);
    const text = 'select "name" from "items" where "id" = ?';
    expect(cache.prepare(text)).toBe(cache.prepare(text));
    await db.insertInto('items').values({ id: 21, name: 'item 21' }).execute();
    await db.insertInto('items').values({ id: 22, name: 'item 22' }).execute();
    expect(cache.size).toBe(2);
    expect((await db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n).toBe(22);
  });

  it('never hands out a statement a streaming read is still using; after the stream it is reused', async () => {
    const text = 'select id from items order by id';
    const streaming = cache.prepare(text);
    const rows = streaming.iterate() as IterableIterator<{ id: number }>;
    expect(rows.next().value).toEqual({ id: 1 });
    expect(streaming.busy).toBe(true);
    const beside = cache.prepare(text);
    expect(beside).not.toBe(streaming);
    expect((beside.all() as unknown[]).length).toBe(20);
    expect(rows.next().value).toEqual({ id: 2 });
    rows.return!();
    expect(cache.prepare(text)).toBe(streaming);

    // Through Kysely: a stream left early, then the same query again, streamed and run whole.
    const query = db.selectFrom('items').select('id').orderBy('id');
    for await (const row of query.stream()) if (row.id === 5) break;
    const streamed = [];
    for await (const row of query.stream()) streamed.push(row.id);
    expect(streamed).toHaveLength(20);
    expect(await query.execute()).toHaveLength(20);
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const texts = [1, 2, 3, 4].map((n) => `select ${n} as n`);
    const first = texts.map((text) => cache.prepare(text));
    expect(cache.prepare(texts[0]!)).toBe(first[0]);
    cache.prepare('select 5 as n');
    expect(cache.size).toBe(4);
    // texts[1] was the least recently used: prepared anew; texts[0] was used again and is kept.
    expect(cache.prepare(texts[1]!)).not.toBe(first[1]);
    expect(cache.prepare(texts[0]!)).toBe(first[0]);
    expect(cache.size).toBe(4);
  });

  it('a cached statement follows a schema change, and a statement that fails to prepare is not kept', async () => {
    const all = () => sql<Record<string, unknown>>`select * from items where id = 1`.execute(db);
    expect((await all()).rows).toEqual([{ id: 1, name: 'item 1' }]);
    handle.exec("alter table items add column colour text default 'blue'");
    expect((await all()).rows).toEqual([{ id: 1, name: 'item 1', colour: 'blue' }]);
    const before = cache.size;
    await expect(sql`select * from missing_table`.execute(db)).rejects.toThrow(/no such table/);
    expect(cache.size).toBe(before);
  });
});
