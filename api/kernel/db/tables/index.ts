import type { AccessTables } from './access.ts';
import type { AnalyticsTables } from './analytics.ts';
import type { CheckpointTables } from './checkpoint.ts';
import type { CoreTables } from './core.ts';
import type { EvidenceTables } from './evidence.ts';
import type { Gb28181Tables } from './gb28181.ts';
import type { IngestTables } from './ingest.ts';
import type { ViidTables } from './viid.ts';
import type { PlayerTables } from './player.ts';
import type { RecordingTables } from './recording.ts';

export type * from './core.ts';
export type * from './viid.ts';
export type * from './evidence.ts';
export type * from './gb28181.ts';

/** The whole schema as Kysely sees it; each feature contributes its own tables. */
export interface Database extends CoreTables, CheckpointTables, IngestTables, AnalyticsTables, AccessTables, PlayerTables, RecordingTables, Gb28181Tables, EvidenceTables, ViidTables {}
