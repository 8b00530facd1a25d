import { createReadStream } from 'node:fs';
import type { Static, TSchema } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import { assertCameraAccess } from '../access/camera-access.ts';
import { requireUser } from '../kernel/http/route-access.ts';
import type { AuthUser } from '../kernel/auth/token-service.ts';
import { HubError, notFound } from '../kernel/errors/hub-error.ts';
import type { FastifyReply } from 'fastify';
import type { ImageUrlSigner } from './image-url-signer.ts';
import { responses } from '../kernel/http/common-schemas.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { HubRoutes } from '../kernel/hub-feature.ts';
import { MAX_BATCH, type CheckpointStore } from './checkpoint-store.ts';
import { PassIdParams, PassRecordSchema, PassSearchQuery, PassView } from './checkpoint-schemas.ts';
import type { PassRecordInput } from '../../analytics/vocabulary/pass-record-input.ts';
import { toPassView } from './pass-record.ts';
import { searchPasses, type PassPage } from './pass-search.ts';
import { narrowCameras, visibleCameras } from './pass-visibility.ts';

/** Who reads passes: viewers and approvers (admin passes every role check); auditors read the trail, not passes. */
export const PASS_READERS = ['viewer'] as const;

/** The options of a search-style route for pass readers: their access, the checkpoint tag, a query string and a 200 body. */
export const passReaderQuery = <Q extends TSchema>(summary: string, querystring: Q, ok: TSchema) => ({
  config: { access: PASS_READERS },
  schema: { tags: ['checkpoint'], summary, querystring, response: responses({ 200: ok }) },
});


/** Search with the caller's visibility applied first, then the camera/department filters of the query. */
export async function searchForUser(ctx: HubContext, user: AuthUser, query: Static<typeof PassSearchQuery>, limit: number): Promise<PassPage> {
  let cameras = await visibleCameras(ctx, user);
  if (query.cameraId !== undefined) cameras = narrowCameras(cameras, [query.cameraId]);
  if (query.departmentId !== undefined) cameras = narrowCameras(cameras, await ctx.cameras.ids({ departmentId: query.departmentId }));
  return searchPasses(ctx.readDb, cameras, { ...query, limit });
}

export function registerPassRoutes(app: HubRoutes, ctx: HubContext, store: CheckpointStore, signer: ImageUrlSigner): void {

  app.post('/checkpoint/passes', {
    config: { access: ['admin'] },
    schema: {
      tags: ['checkpoint'], summary: 'Ingest a batch of passes (idempotent on id)',
      body: Type.Object({ records: Type.Array(PassRecordSchema, { minItems: 1, maxItems: MAX_BATCH }) }, { additionalProperties: false }),
      response: responses({ 200: Type.Object({ inserted: Type.Integer(), duplicates: Type.Integer() }) }),
    },
  }, async (request) => store.ingestPasses(request.body.records as PassRecordInput[]));

  app.get('/checkpoint/passes', passReaderQuery(
    'Search passes (exact, wildcard or fuzzy plate; time, camera, department, colour)',
    PassSearchQuery,
    Type.Object({ items: Type.Array(PassView), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
  ), async (request) => {
    const page = await searchForUser(ctx, requireUser(request), request.query, request.query.limit ?? 50);
    return { items: page.rows.map((row) => ({ ...toPassView(row), ...(row.matchDistance === undefined ? {} : { matchDistance: row.matchDistance }) })), nextCursor: page.nextCursor };
  });

  app.get('/checkpoint/passes/:id', {
    config: { access: PASS_READERS },
    schema: { tags: ['checkpoint'], summary: 'One pass', params: PassIdParams, response: responses({ 200: PassView }) },
  }, async (request) => {
    const row = await ctx.db.selectFrom('checkpoint_passes').selectAll().where('id', '=', request.params.id).executeTakeFirst();
    if (!row) throw notFound('PASS_NOT_FOUND', `pass ${request.params.id} does not exist`);
    await assertCameraAccess(ctx, requireUser(request), row.camera_id, 'events');
    return toPassView(row);
  });

  for (const kind of ['crop', 'scene'] as const) {
    app.get(`/checkpoint/passes/:id/${kind}`, {
      config: { access: PASS_READERS, rawResponse: true },
      schema: { tags: ['checkpoint'], summary: `The pass's ${kind} image`, params: PassIdParams },
    }, async (request, reply) => {
      const row = await imageRow(request.params.id);
      await assertCameraAccess(ctx, requireUser(request), row.camera_id, 'events');
      return sendImage(reply, row, kind, request.params.id);
    });

    // 'signed-url': for receivers outside the hub (GA/T 1400 subscribers); the handler checks the signature.
    app.get(`/checkpoint/images/:id/${kind}`, {
      config: { access: 'signed-url', rawResponse: true },
      schema: {
        tags: ['checkpoint'], summary: `The pass's ${kind} image by a signed, expiring URL (StorageUrl of notifications)`, params: PassIdParams,
        querystring: Type.Object({ expires: Type.Integer({ minimum: 0 }), sig: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
      },
    }, async (request, reply) => {
      if (!signer.verify(request.params.id, kind, request.query.expires, request.query.sig)) {
        throw new HubError('IMAGE_URL_INVALID', 'the image URL is not signed by this hub or has expired', 403);
      }
      return sendImage(reply, await imageRow(request.params.id), kind, request.params.id);
    });
  }

  async function imageRow(id: string) {
    const row = await ctx.db.selectFrom('checkpoint_passes').select(['camera_id', 'crop_image_path', 'scene_image_path']).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('PASS_NOT_FOUND', `pass ${id} does not exist`);
    return row;
  }

  async function sendImage(reply: FastifyReply, row: { crop_image_path: string | null; scene_image_path: string | null }, kind: 'crop' | 'scene', id: string) {
    const stored = kind === 'crop' ? row.crop_image_path : row.scene_image_path;
    // The path comes from the database only, and must still resolve inside the images folder.
    if (!store.pictures.locate(stored)) throw notFound('PASS_IMAGE_MISSING', `pass ${id} has no ${kind} image`);
    const found = await store.pictures.present(stored);
    if (!found) throw notFound('PASS_IMAGE_MISSING', `the ${kind} image of pass ${id} is gone (retention)`);
    const { location, size } = found;
    reply.header('content-type', location.contentType);
    reply.header('content-length', size);
    reply.header('cache-control', 'private, no-store');
    reply.header('x-content-type-options', 'nosniff');
    const range = location.range ? { start: location.range.start, end: location.range.start + location.range.length - 1 } : {};
    return reply.send(createReadStream(location.file, range));
  }
}
