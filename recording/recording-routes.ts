import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../api/hub/hub-context.ts';
import type { AuthUser } from '../api/kernel/auth/token-service.ts';
import { badRequest, forbidden, notFound } from '../api/kernel/errors/hub-error.ts';
import { IdParams, responses } from '../api/kernel/http/common-schemas.ts';
import { requireUser } from '../api/kernel/http/route-access.ts';
import type { Recorder } from './recorder.ts';
import type { RecordingConfig } from './recording-config.ts';
import { RECORDING_EVENT_KINDS, scheduleProblem, WEEKDAYS, type RecordingPlan } from './recording-plan.ts';
import type { RecordingPlans } from './recording-plans.ts';

const Clock = Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' });
const Schedule = Type.Object(Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Optional(Type.Array(Type.Tuple([Clock, Clock]), { maxItems: 24 }))])), { additionalProperties: false });
const Mode = Type.Union(['off', 'continuous', 'scheduled', 'events'].map((m) => Type.Literal(m)));
const EventKind = Type.Union(RECORDING_EVENT_KINDS.map((k) => Type.Literal(k)));

const PlanBody = Type.Object({
  mode: Mode,
  schedule: Type.Optional(Schedule),
  events: Type.Optional(Type.Array(EventKind, { maxItems: 4, uniqueItems: true })),
  preRollSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 300 })),
  postRollSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600 })),
  retentionDays: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 3_650 }), Type.Null()])),
}, { additionalProperties: false });

const PlanView = Type.Object({
  cameraId: Type.String(), mode: Type.String(), schedule: Schedule, events: Type.Array(Type.String()),
  preRollSeconds: Type.Integer(), postRollSeconds: Type.Integer(), retentionDays: Type.Union([Type.Integer(), Type.Null()]),
  effectiveRetentionDays: Type.Integer(), updatedBy: Type.Union([Type.String(), Type.Null()]), updatedAt: Type.Union([Type.Integer(), Type.Null()]),
  recording: Type.Boolean(),
});

export interface RecordingRouteDeps {
  config: RecordingConfig;
  plans: RecordingPlans;
  recorder: Recorder;
}

/** Owner department's approvers and admins set plans; its other members and auditors may read them. */
async function ownerOf(ctx: HubContext, user: AuthUser, cameraId: string, write: boolean): Promise<void> {
  const camera = await ctx.cameras.facts(cameraId);
  if (!camera) throw notFound('CAMERA_NOT_FOUND', `camera ${cameraId} does not exist`);
  if (user.role === 'admin') return;
  if (!write && user.role === 'auditor') return;
  const own = camera.department_id === user.departmentId;
  if (own && (!write || user.role === 'approver')) return;
  throw forbidden('RECORDING_PLAN_DENIED', write ? 'only administrators and approvers of the owning department set its cameras\' recording' : 'only the owning department sees a camera\'s recording plan');
}

export function registerRecordingRoutes(app: FastifyInstance, ctx: HubContext, d: RecordingRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const view = (cameraId: string, plan: RecordingPlan | undefined): Static<typeof PlanView> => ({
    cameraId, mode: plan?.mode ?? 'off', schedule: plan?.schedule ?? {}, events: plan?.events ?? [],
    preRollSeconds: plan?.preRollSeconds ?? 0, postRollSeconds: plan?.postRollSeconds ?? 0, retentionDays: plan?.retentionDays ?? null,
    effectiveRetentionDays: plan?.retentionDays ?? d.config.retentionDays, updatedBy: plan?.updatedBy ?? null, updatedAt: plan?.updatedAt ?? null,
    recording: d.recorder.status().some((s) => s.cameraId === cameraId && s.recording),
  });

  r.get('/cameras/:id/recording', {
    config: { access: 'user' },
    schema: { tags: ['recording'], summary: 'A camera\'s recording plan (off when none was set)', params: IdParams, response: responses({ 200: PlanView }) },
  }, async (request) => {
    await ownerOf(ctx, requireUser(request), request.params.id, false);
    return view(request.params.id, await d.plans.get(request.params.id));
  });

  r.put('/cameras/:id/recording', {
    config: { access: ['admin', 'approver'] },
    schema: { tags: ['recording'], summary: 'Set a camera\'s recording plan (owner department approver or admin); audited', params: IdParams, body: PlanBody, response: responses({ 200: PlanView }) },
  }, async (request) => {
    const user = requireUser(request);
    const cameraId = request.params.id;
    await ownerOf(ctx, user, cameraId, true);
    const b = request.body;
    const schedule = b.schedule ?? {};
    const events = b.events ?? [];
    const problem = scheduleProblem(schedule);
    if (problem) throw badRequest('RECORDING_SCHEDULE_INVALID', problem);
    if (b.mode === 'scheduled' && !Object.values(schedule).some((ranges) => (ranges ?? []).length > 0)) throw badRequest('RECORDING_SCHEDULE_EMPTY', 'a scheduled plan needs at least one time range');
    if (b.mode === 'events' && events.length === 0) throw badRequest('RECORDING_EVENTS_EMPTY', 'an events plan needs at least one event kind');
    const preRollSeconds = b.preRollSeconds ?? (b.mode === 'events' ? 10 : 0);
    const postRollSeconds = b.postRollSeconds ?? (b.mode === 'events' ? 30 : 0);
    if (preRollSeconds > d.config.maxPreRollSeconds) throw badRequest('RECORDING_PRE_ROLL_TOO_LONG', `pre-roll is at most ${d.config.maxPreRollSeconds} s (recording.maxPreRollSeconds)`);
    if (postRollSeconds > d.config.maxPostRollSeconds) throw badRequest('RECORDING_POST_ROLL_TOO_LONG', `post-roll is at most ${d.config.maxPostRollSeconds} s (recording.maxPostRollSeconds)`);
    const plan: RecordingPlan = {
      cameraId, mode: b.mode as RecordingPlan['mode'], schedule, events: events as RecordingPlan['events'], preRollSeconds, postRollSeconds,
      retentionDays: b.retentionDays ?? null, updatedBy: user.username, updatedAt: Date.now(),
    };
    await d.plans.put(plan);
    await d.recorder.apply(plan);
    await ctx.audit.append({
      action: 'config.recording.update', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: cameraId,
      clientIp: request.ip, details: { mode: plan.mode, events: plan.events, preRollSeconds, postRollSeconds, retentionDays: plan.retentionDays, scheduledDays: Object.keys(schedule) },
    });
    return view(cameraId, plan);
  });
}
