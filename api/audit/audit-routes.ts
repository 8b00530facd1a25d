import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../kernel/http/route-access.ts';
import { badRequest } from '../kernel/errors/hub-error.ts';
import type { HubContext } from '../hub/hub-context.ts';
import { Millis, responses } from '../kernel/http/common-schemas.ts';
import { DEFAULT_TIME_ZONE, zonedInstant, zonedYearMonth } from '../kernel/time/local-time.ts';
import { auditCsv } from './audit-csv.ts';
import { auditEventView, type AuditFilter, type AuditQuery } from './audit-query.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);
const Text = Type.String({ minLength: 1, maxLength: 200 });

const FilterFields = {
  userId: Type.Optional(Text), username: Type.Optional(Text), departmentId: Type.Optional(Text),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+\\*?$' })),
  targetType: Type.Optional(Text), targetId: Type.Optional(Text),
  result: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('denied'), Type.Literal('failed')])),
  from: Type.Optional(Millis), to: Type.Optional(Millis),
};
const SearchQuery = Type.Object({
  ...FilterFields,
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
}, { additionalProperties: false });

const AuditEventView = Type.Object({
  seq: Type.Integer(), id: Type.String(), at: Type.Integer(), userId: Nullable(Type.String()), username: Nullable(Type.String()),
  departmentId: Nullable(Type.String()), action: Type.String(), targetType: Nullable(Type.String()), targetId: Nullable(Type.String()),
  result: Type.String(), reason: Nullable(Type.String()), clientIp: Nullable(Type.String()),
  details: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]), hash: Type.String(),
});
const Session = Type.Object({
  sessionId: Type.String(), userId: Nullable(Type.String()), username: Nullable(Type.String()), departmentId: Nullable(Type.String()),
  protocol: Nullable(Type.String()), result: Type.String(), startedAt: Type.Integer(), stoppedAt: Type.Union([Type.Integer(), Type.Null()]),
});
const AccessRow = Type.Object({
  cameraId: Type.String(), cameraName: Nullable(Type.String()), ownerDepartmentId: Nullable(Type.String()), action: Type.String(),
  count: Type.Integer(), users: Type.Integer(), firstAt: Type.Integer(), lastAt: Type.Integer(),
});
const Range = Type.Object({ from: Type.Optional(Millis), to: Type.Optional(Millis) }, { additionalProperties: false });
const MonthRange = Type.Object({
  from: Type.Optional(Millis), to: Type.Optional(Millis),
  month: Type.Optional(Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM in the hub’s time zone; default the current month' })),
}, { additionalProperties: false });
const CameraParams = Type.Object({ cameraId: Type.String({ minLength: 1, maxLength: 64 }) });
const DepartmentParams = Type.Object({ departmentId: Type.String({ minLength: 1, maxLength: 64 }) });

function checkedRange(from: number, to: number): { from: number; to: number } {
  if (to <= from) throw badRequest('RANGE_INVALID', '"to" must be after "from"');
  return { from, to };
}

/** Calendar month [start, next start) in the hub's local time zone. */
/** A calendar month (YYYY-MM, default the current one) as it runs in the display zone, e.g. China time. */
export function monthRange(month: string | undefined, now = Date.now(), zone: string = DEFAULT_TIME_ZONE): { from: number; to: number } {
  const current = zonedYearMonth(now, zone);
  const [year, index] = month ? [Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1] : [current.year, current.monthIndex];
  return { from: zonedInstant(year, index, 1, zone), to: zonedInstant(year, index + 1, 1, zone) };
}

/** /audit…: the auditor's search, CSV export (itself audited), viewing sessions and department usage. */
export function registerAuditRoutes(app: FastifyInstance, ctx: HubContext, query: AuditQuery): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['audit'];
  const access = ['auditor'] as const;

  r.get('/audit/events', {
    config: { access },
    schema: {
      tags, summary: 'Search the audit trail, newest first; pass nextCursor as cursor for older events', querystring: SearchQuery,
      response: responses({ 200: Type.Object({ events: Type.Array(AuditEventView), nextCursor: Type.Union([Type.String(), Type.Null()]) }) }),
    },
  }, async (request) => {
    const { cursor, limit, ...filter } = request.query;
    const page = await query.search(filter as AuditFilter, { cursor: cursor === undefined ? undefined : Number(cursor), limit });
    return { events: page.events.map(auditEventView), nextCursor: page.nextCursor === null ? null : String(page.nextCursor) };
  });

  r.get('/audit/export.csv', {
    config: { access, rawResponse: true },
    schema: { tags, summary: 'The matching events as CSV, oldest first (the export is audited)', querystring: Type.Object(FilterFields, { additionalProperties: false }) },
  }, async (request, reply) => {
    const user = requireUser(request);
    const filter = request.query as AuditFilter;
    await ctx.audit.append({ action: 'audit.export', userId: user.id, username: user.username, departmentId: user.departmentId, clientIp: request.ip, targetType: 'audit_trail', details: { filter } });
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit-events.csv"');
    return reply.send(Readable.from(auditCsv(query.iterate(filter), await query.names(), ctx.config.display.timeZone)));
  });

  r.get('/audit/cameras/:cameraId/viewers', {
    config: { access },
    schema: { tags, summary: 'Who watched camera X between from and to (sessions overlapping the range)', params: CameraParams, querystring: Range, response: responses({ 200: Type.Array(Session) }) },
  }, async (request) => {
    const { from, to } = checkedRange(request.query.from ?? 0, request.query.to ?? Date.now() + 1);
    return query.whoWatched(request.params.cameraId, from, to);
  });

  r.get('/audit/departments/:departmentId/access', {
    config: { access },
    schema: {
      tags, summary: 'What department Y accessed (default this month), grouped by camera and action', params: DepartmentParams, querystring: MonthRange,
      response: responses({ 200: Type.Object({ from: Type.Integer(), to: Type.Integer(), rows: Type.Array(AccessRow) }) }),
    },
  }, async (request) => {
    const month = monthRange(request.query.month, Date.now(), ctx.config.display.timeZone);
    const { from, to } = checkedRange(request.query.from ?? month.from, request.query.to ?? month.to);
    return { from, to, rows: await query.departmentAccess(request.params.departmentId, from, to) };
  });
}
