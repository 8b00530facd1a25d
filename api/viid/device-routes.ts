import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HubContext } from '../hub/hub-context.ts';
import { isDomainError } from '../kernel/errors/domain-error.ts';
import type { DeviceCameras } from './device-cameras.ts';
import { DEVICE_ID } from './objects/viid-ids.ts';
import type { PeerSession, PeerSessions } from './peer-sessions.ts';
import type { TollgateRepository } from './tollgate-repository.ts';
import { responseStatus, ResponseStatusObjectSchema, STATUS, statusList, ViidError, ViidReplySchema, viidBadContent, viidForbidden } from './viid-status.ts';

const Open = Type.Object({}, { additionalProperties: true });
const listOf = (wrapper: string, inner: string) => Type.Object({ [wrapper]: Type.Object({ [inner]: Type.Array(Open) }) });
const Query = Type.Object({}, { additionalProperties: Type.String({ maxLength: 64 }) });

type Fields = Record<string, unknown>;
const str = (v: unknown, max = 200) => (typeof v === 'string' ? v.trim().slice(0, max) : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);
const num = (v: unknown, min: number, max: number) => {
  const n = Number(str(v));
  return str(v) !== undefined && str(v) !== '' && Number.isFinite(n) && n >= min && n <= max ? n : null;
};

/** The objects of a directory push: `{<List>:{<Object>:[…]}}` (a single object accepted too). */
function itemsOf(body: unknown, wrapper: string, inner: string, max: number): Fields[] {
  const root = body as Record<string, Record<string, unknown> | undefined> | null;
  const items = root?.[wrapper]?.[inner] ?? root?.[inner];
  if (items === undefined || items === null) throw viidBadContent('VIID_NO_OBJECTS', `expected {"${wrapper}":{"${inner}":[…]}}`);
  const list = Array.isArray(items) ? items : [items];
  if (list.length > max) throw new ViidError('VIID_BATCH_TOO_LARGE', `at most ${max} objects per request`, 413, STATUS.invalidJsonContent);
  return list.map((item) => (typeof item === 'object' && item !== null && !Array.isArray(item) ? item as Fields : {}));
}

const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!;

/** Runs one directory object; its refusal becomes its status entry. */
async function entry(path: string, id: string, run: () => Promise<void>) {
  try {
    await run();
    return { status: responseStatus(path, STATUS.ok, 'OK', id), http: 200 };
  } catch (error) {
    const viid = error instanceof ViidError ? error : undefined;
    const text = isDomainError(error) ? `${error.code}: ${error.message}` : (error as Error).message;
    return { status: responseStatus(path, viid?.statusCode ?? STATUS.invalidJsonContent, text, id), http: viid?.status ?? 400 };
  }
}

function ownedId(session: PeerSession, value: unknown, field: string): string {
  const id = str(value, 64) ?? '';
  if (!DEVICE_ID.test(id)) throw viidBadContent('VIID_OBJECT_INVALID', `${field} must be 20 digits`);
  if (!session.devices.has(id)) throw viidForbidden('VIID_DEVICE_NOT_OWNED', `${session.peerId} may not report for ${id}`);
  return id;
}

/**
 * The 卡口 directory: /VIID/APEs (capture devices: our cameras, created stream-less for the peer's
 * department), /VIID/Tollgates (sites) and /VIID/Lanes, pushed by the peers that own them and listed back.
 */
export function registerDeviceRoutes(scope: FastifyInstance, ctx: HubContext, sessions: PeerSessions, devices: DeviceCameras, tollgates: TollgateRepository): void {
  const max = ctx.config.viid.maxObjectsPerRequest;
  const push = (url: string, summary: string, wrapper: string, inner: string, handle: (session: PeerSession, item: Fields) => Promise<{ id: string; run: () => Promise<void> }>) => {
    scope.post(url, {
      config: { access: 'public' },
      schema: { tags: ['viid'], summary, body: Open, response: { 200: ViidReplySchema, '4xx': ViidReplySchema } },
    }, async (request, reply) => {
      const session = sessions.identify(request);
      const path = pathOf(request);
      const results = [];
      for (const item of itemsOf(request.body, wrapper, inner, max)) {
        let id = str(item.ApeID ?? item.TollgateID ?? '', 64) ?? '';
        results.push(await entry(path, id, async () => {
          const job = await handle(session, item);
          id = job.id;
          await job.run();
        }));
      }
      const status = results.some((r) => r.http === 200) || results.length === 0 ? 200 : results[0]!.http;
      return reply.status(status).send(statusList(results.map((r) => r.status)));
    });
  };

  push('/APEs', 'GA/T 1400 capture devices (APE) of the peer: name and place of its cameras', 'APEListObject', 'APEObject', async (session, item) => {
    const id = ownedId(session, item.ApeID, 'ApeID');
    return {
      id, run: async () => {
        const camera = (await devices.resolve(session, [id])).get(id)!;
        if (camera instanceof Error) throw camera;
        const name = str(item.Name);
        await devices.describe(camera, { name: name || undefined, lat: num(item.Latitude, -90, 90), lon: num(item.Longitude, -180, 180), address: str(item.PlaceCode, 300) ?? null });
      },
    };
  });

  push('/Tollgates', 'GA/T 1400 卡口 sites of the peer', 'TollgateListObject', 'TollgateObject', async (session, item) => {
    const id = ownedId(session, item.TollgateID, 'TollgateID');
    return {
      id, run: () => tollgates.upsertTollgate({
        id, peer_id: session.peerId, department_id: session.departmentId, name: str(item.Name) || `卡口 ${id}`,
        lat: num(item.Latitude, -90, 90), lon: num(item.Longitude, -180, 180), place_code: str(item.PlaceCode, 64) ?? null,
        category: str(item.TollgateCat, 16) ?? null, usage: str(item.TollgateUsage, 16) ?? null, lane_count: num(item.LaneNum, 0, 99),
        status: str(item.Status, 16) ?? null, updated_at: Date.now(),
      }),
    };
  });

  push('/Lanes', 'GA/T 1400 lanes of the peer\'s 卡口 sites', 'LaneListObject', 'LaneObject', async (session, item) => {
    const id = ownedId(session, item.TollgateID, 'TollgateID');
    const laneNo = num(item.LaneNo, 0, 99);
    if (laneNo === null || !Number.isInteger(laneNo)) throw viidBadContent('VIID_OBJECT_INVALID', 'LaneNo must be 0..99');
    return {
      id, run: async () => {
        if (!(await tollgates.findTollgate(id))) throw new ViidError('VIID_TOLLGATE_UNKNOWN', `register tollgate ${id} at /VIID/Tollgates first`, 404, STATUS.invalidOperation);
        await tollgates.upsertLane({
          tollgate_id: id, lane_no: laneNo, lane_id: str(item.LaneId, 64) ?? null, name: str(item.Name) ?? null, direction: str(item.Direction, 16) ?? null,
          description: str(item.Desc, 300) ?? null, max_speed: num(item.MaxSpeed, 0, 500), ape_id: str(item.ApeID, 64) ?? null, updated_at: Date.now(),
        });
      },
    };
  });

  scope.get('/APEs', {
    config: { access: 'public' },
    schema: { tags: ['viid'], summary: 'The peer\'s capture devices', querystring: Query, response: { 200: listOf('APEListObject', 'APEObject'), '4xx': ResponseStatusObjectSchema } },
  }, async (request) => {
    const session = sessions.identify(request);
    const cameras = await ctx.cameras.byNationalIds([...session.devices]);
    const objects = [...cameras].map(([id, camera]) => ({ ApeID: id, Name: camera.name, Longitude: camera.lon ?? undefined, Latitude: camera.lat ?? undefined }));
    return { APEListObject: { APEObject: objects } };
  });

  scope.get('/Tollgates', {
    config: { access: 'public' },
    schema: { tags: ['viid'], summary: 'The 卡口 sites of the peer\'s department', querystring: Query, response: { 200: listOf('TollgateListObject', 'TollgateObject'), '4xx': ResponseStatusObjectSchema } },
  }, async (request) => {
    const session = sessions.identify(request);
    const rows = await tollgates.tollgatesOf(session.departmentId);
    return { TollgateListObject: { TollgateObject: rows.map((t) => ({ TollgateID: t.id, Name: t.name, Longitude: t.lon ?? undefined, Latitude: t.lat ?? undefined, PlaceCode: t.place_code ?? undefined, Status: t.status ?? undefined, TollgateCat: t.category ?? undefined, TollgateUsage: t.usage ?? undefined, LaneNum: t.lane_count ?? undefined })) } };
  });

  scope.get('/Lanes', {
    config: { access: 'public' },
    schema: { tags: ['viid'], summary: 'Lanes of the department\'s 卡口 sites (TollgateID narrows)', querystring: Query, response: { 200: listOf('LaneListObject', 'LaneObject'), '4xx': ResponseStatusObjectSchema } },
  }, async (request) => {
    const session = sessions.identify(request);
    const wanted = (request.query as Record<string, string>).TollgateID;
    const ids = (await tollgates.tollgatesOf(session.departmentId)).map((t) => t.id).filter((id) => !wanted || id === wanted);
    const rows = await tollgates.lanesOf(ids);
    return { LaneListObject: { LaneObject: rows.map((l) => ({ TollgateID: l.tollgate_id, LaneNo: l.lane_no, LaneId: l.lane_id ?? undefined, Name: l.name ?? undefined, Direction: l.direction ?? undefined, Desc: l.description ?? undefined, MaxSpeed: l.max_speed ?? undefined, ApeID: l.ape_id ?? undefined })) } };
  });
}
