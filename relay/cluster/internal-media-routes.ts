import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { notFound, unavailable } from '../../api/kernel/errors/hub-error.ts';
import type { EmbeddedMediaServer } from '../embedded-media-server.ts';
import { HttpFlvSink } from '../http-flv-sink.ts';
import { hlsFileKind, openHlsFile } from '../media-files.ts';
import type { RelayConfig } from '../relay-config.ts';
import { assertStreamId, type RelayPool } from '../relay-pool.ts';
import { INTERNAL_MEDIA_PREFIX, type ClusterRelay } from './cluster-relay.ts';

const HlsParams = Type.Object({ streamId: Type.String({ maxLength: 512 }), file: Type.String({ maxLength: 512 }) });
const FlvParams = Type.Object({ streamId: Type.String({ maxLength: 512 }) });

const internalRoute = <P extends ReturnType<typeof Type.Object>>(summary: string, params: P) => ({
  config: { access: 'cluster-node' as const, rawResponse: true },
  logLevel: 'warn' as const,
  schema: { tags: ['cluster'], summary, params, hide: true },
});

/**
 * The owner's side of the internal media hop: another node of the cluster, whose viewer's play token,
 * binding cookie and session it checked itself, fetches this node's HLS files or FLV stream of a camera
 * this node pulls. Only signed requests of cluster nodes get here (route access 'cluster-node'); the
 * playlist goes back unsigned, the calling node signs it with its viewer's token. Each fetch holds the
 * pull (ViewerDemand, origin `node:<caller>`) as a viewer's fetch would.
 */
export function registerInternalMediaRoutes(app: FastifyInstance, deps: { config: RelayConfig; relays: RelayPool; media: EmbeddedMediaServer; cluster: ClusterRelay }): void {
  const { config, relays, media, cluster } = deps;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
  });

  const ownedStream = (streamId: string) => {
    assertStreamId(streamId, 'MEDIA_PATH_INVALID');
    if (!cluster.owns(streamId)) throw unavailable('CAMERA_OWNED_ELSEWHERE', 'this node does not pull the camera (any more); ask its owner');
  };
  const running = (streamId: string) => {
    const stream = relays.stream(streamId);
    if (!stream) throw notFound('STREAM_NOT_RUNNING', 'this camera is not being relayed here');
    return stream;
  };

  r.get(`${INTERNAL_MEDIA_PREFIX}/hls/:streamId/:file`, internalRoute('HLS playlist or segment of a camera this node pulls, for another node of the cluster', HlsParams), async (request, reply) => {
    const { streamId, file } = request.params;
    ownedStream(streamId);
    const kind = hlsFileKind(file);
    await cluster.demand.touch(streamId, `node:${request.clusterNode}`);
    const stream = running(streamId);
    if (kind === 'playlist' && !stream.hasPlaylist && !(await stream.waitForPlaylist(config.startTimeoutSeconds * 1_000))) {
      throw unavailable('STREAM_STARTING', 'the camera has not delivered video yet; try again shortly');
    }
    const opened = await openHlsFile(relays.hlsRoot, streamId, file);
    if (opened.kind === 'playlist') {
      const text = await opened.handle.readFile('utf8').finally(() => opened.handle.close());
      return reply.header('cache-control', 'no-store').type('application/vnd.apple.mpegurl').send(text);
    }
    reply.header('content-length', opened.size).type('video/mp2t');
    return reply.send(opened.handle.createReadStream({ autoClose: true }));
  });

  r.get(`${INTERNAL_MEDIA_PREFIX}/flv/:streamId.flv`, internalRoute('HTTP-FLV stream of a camera this node pulls, for another node of the cluster', FlvParams), async (request, reply) => {
    const { streamId } = request.params;
    ownedStream(streamId);
    const demandEnded = await cluster.demand.openStream(streamId, `node:${request.clusterNode}`);
    let stream;
    try {
      stream = running(streamId);
    } catch (error) {
      demandEnded();
      throw error;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'video/x-flv', 'cache-control': 'no-store' });
    const viewer = media.attachFlvViewer(stream.mediaName, new HttpFlvSink(res));
    if (!viewer) {
      demandEnded();
      res.end();
      return;
    }
    const close = () => viewer.close(true);
    open.add(close);
    viewer.onClose(() => {
      open.delete(close);
      demandEnded();
    });
  });
}
