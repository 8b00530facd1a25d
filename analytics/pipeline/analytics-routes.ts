import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { HubError } from '../../api/kernel/errors/hub-error.ts';
import { responses } from '../../api/kernel/http/common-schemas.ts';
import { countPersons, countVehicles } from '../detect/crowd.ts';
import { decodeImage } from '../models/raw-image.ts';
import type { AnalyticsConfig } from '../analytics-config.ts';
import type { FrameAnalyser } from './frame-analyser.ts';
import type { AnalyticsStats } from './analytics-stats.ts';

const BoxSchema = Type.Object({ x1: Type.Number(), y1: Type.Number(), x2: Type.Number(), y2: Type.Number() });
const PointSchema = Type.Object({ x: Type.Number(), y: Type.Number() });

const AnalyzeResponse = Type.Object({
  width: Type.Integer(), height: Type.Integer(), persons: Type.Integer(), vehicles: Type.Integer(),
  objects: Type.Array(Type.Object({ className: Type.String(), score: Type.Number(), box: BoxSchema })),
  plates: Type.Array(Type.Object({
    plate: Type.String(), colour: Type.String(), confidence: Type.Number(), charConfidences: Type.Array(Type.Number()),
    formatValid: Type.Boolean(), box: BoxSchema, corners: Type.Array(PointSchema),
  })),
});

const Counters = {
  sampled: Type.Integer(), gated: Type.Integer(), dropped: Type.Integer(), droppedNoBuffer: Type.Integer(), inferred: Type.Integer(),
  failed: Type.Integer(), passes: Type.Integer(), passErrors: Type.Integer(),
};
const StatsResponse = Type.Object({
  cameras: Type.Array(Type.Object({
    cameraId: Type.String(), running: Type.Boolean(), restarts: Type.Integer(), lastError: Type.String(), openPasses: Type.Integer(), freeBuffers: Type.Integer(), ...Counters,
  })),
  totals: Type.Object(Counters),
  analyser: Type.Object({}, { additionalProperties: true }),
  passQueue: Type.Object({}, { additionalProperties: Type.Integer() }),
});

/** Images the analyse endpoint takes; sharp decodes by content, the type only gates the door. */
const IMAGE_TYPES = ['image/jpeg', 'image/png'];

/** POST /analytics/analyze (one picture → plates and counts) and GET /analytics/stats. */
export async function registerAnalyticsRoutes(app: FastifyInstance, config: AnalyticsConfig, analyser: () => FrameAnalyser | undefined, stats: AnalyticsStats): Promise<void> {
  // A scope of its own, so the image body parser applies to these routes only.
  await app.register(async (scope) => {
    scope.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: config.analyzeMaxBytes }, (_request, body, done) => done(null, body));
    const r = scope.withTypeProvider<TypeBoxTypeProvider>();

    r.post('/analytics/analyze', {
      config: { access: ['admin', 'approver', 'viewer'] },
      bodyLimit: config.analyzeMaxBytes,
      schema: {
        tags: ['analytics'], summary: 'Read plates and count persons and vehicles in one JPEG or PNG picture',
        consumes: IMAGE_TYPES,
        response: responses({ 200: AnalyzeResponse, 413: Type.Object({ code: Type.String(), message: Type.String() }) }),
      },
    }, async (request) => {
      const body = request.body;
      // JSON and text bodies have parsers of their own higher up; only the image parser yields a Buffer.
      if (!Buffer.isBuffer(body)) throw new HubError('UNSUPPORTED_MEDIA_TYPE', 'send the picture as image/jpeg or image/png', 415);
      if (body.length === 0) throw new HubError('IMAGE_MISSING', 'the request body is empty; send the picture', 400);
      const image = await decodeImage(body, config.analyzeMaxPixels, 'the picture');
      const models = analyser();
      if (!models) throw new HubError('ANALYTICS_DISABLED', 'analytics is switched off on this hub', 503);
      const outcome = await models.analyse('api:analyze', image);
      if (outcome.status === 'dropped') throw new HubError('ANALYZE_BUSY', 'too many pictures are being analysed; try again shortly', 503);
      if (outcome.status === 'failed') throw outcome.error;
      return {
        width: image.width, height: image.height,
        persons: countPersons(outcome.objects), vehicles: countVehicles(outcome.objects),
        objects: outcome.objects,
        plates: outcome.plates.map((p) => ({ plate: p.plate, colour: p.colour, confidence: p.confidence, charConfidences: p.charConfidences, formatValid: p.formatValid, box: p.box, corners: p.corners })),
      };
    });
  });

  app.withTypeProvider<TypeBoxTypeProvider>().get('/analytics/stats', {
    config: { access: ['admin'] },
    schema: { tags: ['analytics'], summary: 'Frames sampled, gated, dropped and analysed, and passes, per camera', response: responses({ 200: StatsResponse }) },
  }, async () => stats.snapshot());
}
