import { sql, type Kysely, type RawBuilder } from 'kysely';
import { foldPlate } from '../../analytics/vocabulary/plate-text.ts';
import { isPostgres } from '../kernel/db/dialect.ts';
import type { Database } from '../kernel/db/tables/index.ts';

const column = (alias: string | undefined, name: string) => sql.ref(alias ? `${alias}.${name}` : name);

/**
 * `plate in (…)` for checkpoint_passes. On PostgreSQL the passes have no plate index (migration 0032): the
 * condition goes through plate_folded — equal plates have equal folded forms — and then checks the plate
 * itself, so confusable neighbours that share a folded form are not returned.
 */
export function plateIn(db: Kysely<Database>, plates: string[], alias?: string): RawBuilder<boolean> {
  const plate = column(alias, 'plate');
  if (!isPostgres(db)) return sql<boolean>`${plate} in (${sql.join(plates)})`;
  const folded = [...new Set(plates.map(foldPlate))];
  return sql<boolean>`(${column(alias, 'plate_folded')} in (${sql.join(folded)}) and ${plate} in (${sql.join(plates)}))`;
}

/**
 * PostgreSQL `plate like …` for a LIKE pattern made of plate characters, % and _ (patternToLike): folding
 * works character by character and leaves % and _ alone, so the folded pattern prefilters through the
 * (plate_folded text_pattern_ops, passed_at) index.
 */
export function plateLikeOnPostgres(like: string, alias?: string): RawBuilder<boolean> {
  return sql<boolean>`(${column(alias, 'plate_folded')} like ${foldPlate(like)} and ${column(alias, 'plate')} like ${like})`;
}
