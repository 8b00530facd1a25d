import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../api/kernel/http/route-access.ts';
import { badRequest } from '../../api/kernel/errors/hub-error.ts';
import { responses } from '../../api/kernel/http/common-schemas.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { CsvImporter } from './csv-import.ts';

export const MAX_CSV_BYTES = 2 * 1024 * 1024;

const RowResultSchema = Type.Object({
  row: Type.Integer(), status: Type.String(), cameraId: Type.Optional(Type.String()), name: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()), message: Type.Optional(Type.String()),
});

/**
 * POST /cameras/import with a text/csv body (size-capped). Registered in its own plugin scope so the
 * text/csv parser does not leak into other features' routes.
 */
export async function registerCsvImportRoutes(app: FastifyInstance, ctx: HubContext, importer: CsvImporter): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: MAX_CSV_BYTES }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<TypeBoxTypeProvider>().post('/cameras/import', {
      config: { access: ['admin', 'approver'] },
      bodyLimit: MAX_CSV_BYTES,
      schema: {
        tags: ['cameras'], summary: 'Bulk-register RTSP cameras from CSV (name,department,category,lat,lon,address,stream_url,username,password,ptz,analytics)',
        querystring: Type.Object({ allOrNothing: Type.Boolean({ default: false }) }, { additionalProperties: false }),
        response: responses({ 200: Type.Object({ created: Type.Integer(), failed: Type.Integer(), rows: Type.Array(RowResultSchema) }) }),
      },
    }, async (request) => {
      const user = requireUser(request);
      if (typeof request.body !== 'string') throw badRequest('CSV_REQUIRED', 'send the cameras as a text/csv body');
      return importer.import(request.body, user, { allOrNothing: request.query.allOrNothing }, request.ip);
    });
  });
}
