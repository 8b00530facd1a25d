import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { requireUser } from '../kernel/http/route-access.ts';
import { formatLocalTime } from '../kernel/time/local-time.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { HubRoutes } from '../kernel/hub-feature.ts';
import { PassSearchQuery } from './checkpoint-schemas.ts';
import { motorVehicleList } from './gat1400.ts';
import type { PassRow } from './pass-record.ts';
import { PASS_READERS, passReaderQuery, searchForUser } from './pass-routes.ts';

const ExportQuery = Type.Composite([
  Type.Omit(PassSearchQuery, ['limit', 'cursor']),
  Type.Object({ maxRows: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 10_000 })) }),
], { additionalProperties: false });
type ExportQueryType = Static<typeof ExportQuery>;

// People's columns first (time in display.timeZone, camera name), then the ids machines join on.
const CSV_COLUMNS = ['time', 'plate', 'plate_colour', 'plate_confidence', 'camera', 'vehicle_class', 'vehicle_colour', 'lane', 'direction',
  'id', 'passed_at_iso', 'passed_at', 'camera_id'] as const;

/** CSV field: quoted when needed; a leading = + - @ is defused so spreadsheets do not run it as a formula. */
export function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(row: PassRow, cameraNames: Map<string, string>, timeZone: string): string {
  const at = Number(row.passed_at);
  const values = [formatLocalTime(at, timeZone), row.plate, row.plate_colour, row.plate_confidence, cameraNames.get(row.camera_id) ?? '',
    row.vehicle_class, row.vehicle_colour, row.lane, row.direction, row.id, new Date(at).toISOString(), row.passed_at, row.camera_id];
  return values.map(csvField).join(',');
}

async function collect(ctx: HubContext, request: FastifyRequest, query: ExportQueryType): Promise<PassRow[]> {
  const user = requireUser(request);
  const maxRows = query.maxRows ?? 10_000;
  const rows: PassRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await searchForUser(ctx, user, { ...query, cursor }, Math.min(1_000, maxRows - rows.length));
    rows.push(...page.rows);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && rows.length < maxRows);
  return rows;
}

async function auditExport(ctx: HubContext, request: FastifyRequest, format: string, query: ExportQueryType, rows: number): Promise<void> {
  const user = requireUser(request);
  await ctx.audit.append({
    action: 'checkpoint.export', userId: user.id, username: user.username, departmentId: user.departmentId,
    targetType: 'checkpoint_passes', clientIp: request.ip, details: { format, rows, filters: query },
  });
}

/** Exports of search results: CSV for spreadsheets, GA/T 1400 JSON for other platforms. Every export is audited. */
export function registerExportRoutes(app: HubRoutes, ctx: HubContext): void {

  app.get('/checkpoint/export/passes.csv', {
    config: { access: PASS_READERS, rawResponse: true },
    schema: { tags: ['checkpoint'], summary: 'Search results as CSV (audited)', querystring: ExportQuery },
  }, async (request, reply) => {
    const rows = await collect(ctx, request, request.query);
    await auditExport(ctx, request, 'csv', request.query, rows.length);
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="checkpoint-passes.csv"');
    // BOM: spreadsheet programs then read the Chinese characters as UTF-8.
    const cameras = await ctx.cameras.summaries([...new Set(rows.map((row) => row.camera_id))]);
    const names = new Map(cameras.map((camera) => [camera.id, camera.name]));
    const lines = rows.map((row) => csvLine(row, names, ctx.config.display.timeZone));
    return reply.send(`\uFEFF${CSV_COLUMNS.join(',')}\r\n${lines.join('\r\n')}${rows.length ? '\r\n' : ''}`);
  });

  app.get('/checkpoint/export/gat1400', passReaderQuery(
    'Search results as GA/T 1400 MotorVehicleListObject (audited)',
    ExportQuery,
    Type.Object({ MotorVehicleListObject: Type.Object({ MotorVehicleObject: Type.Array(Type.Object({}, { additionalProperties: true })) }) }),
  ), async (request) => {
    const rows = await collect(ctx, request, request.query);
    await auditExport(ctx, request, 'gat1400', request.query, rows.length);
    return motorVehicleList(ctx, rows, ctx.publicUrl());
  });
}
