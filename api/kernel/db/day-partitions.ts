import { sql, type Kysely } from 'kysely';

export const DAY_MS = 86_400_000;

/** Start (epoch ms, UTC midnight) of the day holding `at`. */
export const dayStart = (at: number): number => Math.floor(at / DAY_MS) * DAY_MS;

/** checkpoint_passes_p20250131: the day's partition, named by its UTC date. */
export function partitionName(table: string, day: number): string {
  return `${table}_p${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

export interface DayPartition {
  name: string;
  /** Inclusive lower bound (UTC midnight, epoch ms). */
  from: number;
  /** Exclusive upper bound. */
  to: number;
}

/**
 * PostgreSQL range partitions of one day each on a bigint epoch-ms column, plus a DEFAULT partition that
 * catches rows no day partition covers (a camera with a wrong clock, a backlog older than the partitions).
 * Creating a day whose rows already sit in the default partition moves them first: PostgreSQL refuses a
 * new partition while the default holds rows of its range.
 */
export class DayPartitions {
  constructor(private readonly db: Kysely<any>, readonly table: string, private readonly column: string) {}

  get defaultName(): string {
    return `${this.table}_default`;
  }

  /** The day partitions, oldest first (the default partition is not listed). */
  async list(): Promise<DayPartition[]> {
    const rows = await sql<{ name: string; bound: string }>`
      select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
      from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = ${this.table}::regclass`.execute(this.db);
    const out: DayPartition[] = [];
    for (const row of rows.rows) {
      const m = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/.exec(row.bound);
      if (m) out.push({ name: row.name, from: Number(m[1]), to: Number(m[2]) });
    }
    return out.sort((a, b) => a.from - b.from);
  }

  /** Creates the default partition when missing. */
  async ensureDefault(): Promise<void> {
    await sql`create table if not exists ${sql.id(this.defaultName)} partition of ${sql.id(this.table)} default`.execute(this.db);
  }

  /**
   * Makes sure each given day (any instant inside it) has its partition; returns the names created. Rows of
   * that day found in the default partition move into the new partition in the same transaction.
   */
  async ensureDays(instants: number[]): Promise<string[]> {
    const existing = new Set((await this.list()).map((p) => p.from));
    const days = [...new Set(instants.map(dayStart))].filter((d) => !existing.has(d)).sort((a, b) => a - b);
    const created: string[] = [];
    for (const day of days) {
      await this.inTransaction(async (trx) => {
        const name = partitionName(this.table, day);
        const table = sql.id(this.table);
        const part = sql.id(name);
        const col = sql.ref(this.column);
        const stray = await sql<{ n: number }>`select count(*)::int as n from ${sql.id(this.defaultName)} where ${col} >= ${day} and ${col} < ${day + DAY_MS}`.execute(trx);
        if ((stray.rows[0]?.n ?? 0) === 0) {
          await sql`create table ${part} partition of ${table} for values from (${sql.lit(day)}) to (${sql.lit(day + DAY_MS)})`.execute(trx);
        } else {
          // Detached build: fill the new table from the default partition, then attach (indexes follow the parent's).
          await sql`create table ${part} (like ${table} including defaults including constraints)`.execute(trx);
          await sql`with moved as (delete from ${sql.id(this.defaultName)} where ${col} >= ${day} and ${col} < ${day + DAY_MS} returning *)
            insert into ${part} select * from moved`.execute(trx);
          await sql`alter table ${table} attach partition ${part} for values from (${sql.lit(day)}) to (${sql.lit(day + DAY_MS)})`.execute(trx);
        }
        created.push(name);
      });
    }
    return created;
  }

  /** Inside a migration the caller's transaction is used; otherwise each day gets its own. */
  private inTransaction(work: (trx: Kysely<any>) => Promise<void>): Promise<void> {
    return this.db.isTransaction ? work(this.db) : this.db.transaction().execute(work);
  }

  /** Partitions for today and the next `aheadDays` days (UTC), so that ingest never waits on DDL. */
  ensureAhead(now: number, aheadDays: number): Promise<string[]> {
    return this.ensureDays(Array.from({ length: aheadDays + 1 }, (_, i) => dayStart(now) + i * DAY_MS));
  }

  /** Days that have rows in the default partition (strays), oldest first, at most `limit`. */
  async strayDays(limit = 400): Promise<number[]> {
    const col = sql.ref(this.column);
    const rows = await sql<{ day: string }>`
      select distinct (${col} / ${DAY_MS}) * ${DAY_MS} as day from ${sql.id(this.defaultName)} order by 1 limit ${limit}`.execute(this.db);
    return rows.rows.map((r) => Number(r.day));
  }

  /** Day partitions that end at or before `cutoff`: every row in them is older than the cutoff. */
  async expired(cutoff: number): Promise<DayPartition[]> {
    return (await this.list()).filter((p) => p.to <= cutoff);
  }

  /** Drops one whole partition: a catalogue change, no row is visited. */
  async drop(partition: DayPartition): Promise<void> {
    await sql`drop table if exists ${sql.id(partition.name)}`.execute(this.db);
  }
}
