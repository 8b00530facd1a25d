import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Millis, responses } from '../../api/kernel/http/common-schemas.ts';
import type { ClusterRelay } from './cluster-relay.ts';

const NodeView = Type.Object({
  id: Type.String(), url: Type.String(), load: Type.Integer(), capacity: Type.Integer(), startedAt: Millis,
  freeLevel: Type.Optional(Type.Integer({ description: 'free capacity in levels 0-3 (hysteresis): placement weighs idle cameras by it' })),
});
const ClusterView = Type.Object({
  nodeId: Type.String({ description: 'the node that answered' }),
  nodes: Type.Array(NodeView, { description: 'live nodes as of its last heartbeat' }),
  ownedCameras: Type.Array(Type.String(), { description: 'cameras whose lease this node holds (it alone pulls them)' }),
});

/** Admins see the cluster from the node they ask: live nodes, their load, and this node's cameras. */
export function registerClusterRoutes(app: FastifyInstance, cluster: ClusterRelay): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get('/cluster/nodes', {
    config: { access: ['admin'] },
    schema: { tags: ['relay'], summary: 'Live hub nodes of the cluster and the cameras this node owns', response: responses({ 200: ClusterView }) },
  }, async () => {
    const { ownership } = cluster.node;
    return { nodeId: cluster.node.nodeId, nodes: ownership.liveNodes(), ownedCameras: ownership.ownedCameras().sort() };
  });
}
