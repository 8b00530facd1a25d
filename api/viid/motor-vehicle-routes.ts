import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HubContext } from '../hub/hub-context.ts';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import { searchPasses } from '../checkpoint/pass-search.ts';
import { parseMotorVehicleQuery, runMotorVehicleQuery } from './motor-vehicle-query.ts';
import { motorVehicleObjects } from '../checkpoint/gat1400.ts';
import type { MotorVehicleIntake } from './motor-vehicle-intake.ts';
import { MovableBody } from './movable-body.ts';
import { OBJECT_ID } from './objects/viid-ids.ts';
import { parseViidTime } from './objects/viid-time.ts';
import type { PeerSessions } from './peer-sessions.ts';
import { responseStatus, ResponseStatusObjectSchema, STATUS, statusList, ViidError, ViidReplySchema, viidBadContent } from './viid-status.ts';

const Open = Type.Object({}, { additionalProperties: true });
const VehicleList = Type.Object({ MotorVehicleListObject: Type.Object({ MotorVehicleObject: Type.Array(Open), TotalNum: Type.Optional(Type.Integer()) }) });
const VehicleOne = Type.Object({ MotorVehicleObject: Open });

/** Query keys with or without the `MotorVehicle.` prefix the standard's query strings use. */
const VehicleQuery = Type.Object({}, { additionalProperties: Type.String({ maxLength: 2_200 }) });

const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!;

/**
 * /VIID/MotorVehicles: registered peers push vehicles (one ResponseStatusObject per object, HTTP 200 when any
 * was accepted, else the first refusal's status) and query the passes of their department's cameras.
 */
export function registerMotorVehicleRoutes(scope: FastifyInstance, ctx: HubContext, sessions: PeerSessions, intake: MotorVehicleIntake, store: CheckpointStore): void {
  // The body stays bytes here (viidRawBody): a writer thread parses it and decodes its pictures, off the event loop.
  scope.post('/MotorVehicles', {
    config: { access: 'public', rateLimit: false, viidRawBody: true },
    schema: { tags: ['viid'], summary: 'GA/T 1400 push of MotorVehicleObjects (registered peers, their own devices): {"MotorVehicleListObject":{"MotorVehicleObject":[…]}}', response: { 200: ViidReplySchema, '4xx': ViidReplySchema } },
  }, async (request, reply) => {
    const session = sessions.identify(request);
    if (!(request.body instanceof MovableBody)) throw viidBadContent('VIID_NO_OBJECTS', 'expected {"MotorVehicleListObject":{"MotorVehicleObject":[…]}}');
    const outcomes = await intake.receivePush(session, request.body);
    const path = pathOf(request);
    const accepted = outcomes.some((o) => o.statusCode === STATUS.ok);
    const status = accepted || outcomes.length === 0 ? 200 : outcomes[0]!.httpStatus;
    // Serialised here (one LocalTime, native JSON.stringify): the schema serialiser of the union reply cost more than the rest of the reply.
    const now = Date.now();
    return reply.status(status).send(JSON.stringify(statusList(outcomes.map((o) => responseStatus(path, o.statusCode, o.text, o.id, now)))));
  });

  scope.get('/MotorVehicles', {
    config: { access: 'public' },
    schema: { tags: ['viid'], summary: 'GA/T 1400 query (field conditions, PassTime range, RecordStartNo/PageRecordNum paging, TotalNum) of vehicles seen by the peer\'s department\'s cameras', querystring: VehicleQuery, response: { 200: VehicleList, '4xx': ResponseStatusObjectSchema } },
  }, async (request) => {
    const session = sessions.identify(request);
    const query = parseMotorVehicleQuery(request.query as Record<string, string>);
    let cameras = await ctx.cameras.ids({ departmentId: session.departmentId });
    if (query.deviceIds) {
      const named = await ctx.cameras.byNationalIds(query.deviceIds);
      const own = new Set(cameras);
      cameras = [...named.values()].map((camera) => camera.id).filter((id) => own.has(id));
    }
    const { rows, total } = await runMotorVehicleQuery(ctx.readDb, cameras, query);
    const objects = await motorVehicleObjects(ctx, rows, ctx.publicUrl());
    return { MotorVehicleListObject: { MotorVehicleObject: objects, TotalNum: total } };
  });

  scope.get('/MotorVehicles/:id', {
    config: { access: 'public' },
    schema: { tags: ['viid'], summary: 'One GA/T 1400 vehicle by its 48-digit MotorVehicleID', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: VehicleOne, '4xx': ResponseStatusObjectSchema } },
  }, async (request) => {
    const session = sessions.identify(request);
    const { id } = request.params as { id: string };
    if (!OBJECT_ID.test(id)) throw viidBadContent('VIID_OBJECT_ID_INVALID', 'a MotorVehicleID is 48 digits');
    const notFound = () => new ViidError('VIID_OBJECT_NOT_FOUND', `no vehicle ${id}`, 404, STATUS.invalidOperation);
    // A received vehicle is stored under its MotorVehicleID.
    const row = await store.findPass(id);
    if (row) {
      const facts = await ctx.cameras.facts(row.camera_id);
      if (facts?.department_id !== session.departmentId) throw notFound();
      const [object] = await motorVehicleObjects(ctx, [row], ctx.publicUrl());
      return { MotorVehicleObject: object };
    }
    // One of our own passes: its ID names the device and the second it passed; derive the IDs of that
    // camera's passes in that second and pick the one that matches.
    const camera = (await ctx.cameras.byNationalIds([id.slice(0, 20)])).get(id.slice(0, 20));
    if (!camera || camera.department_id !== session.departmentId) throw notFound();
    let second: number;
    try {
      second = parseViidTime(id.slice(22, 36), 'MotorVehicleID');
    } catch {
      throw notFound();
    }
    const page = await searchPasses(ctx.db, { all: false, cameraIds: [camera.id] }, { from: second, to: second + 1_000, limit: 500 });
    const objects = await motorVehicleObjects(ctx, page.rows, ctx.publicUrl());
    const object = objects.find((o) => o.MotorVehicleID === id);
    if (!object) throw notFound();
    return { MotorVehicleObject: object };
  });
}
