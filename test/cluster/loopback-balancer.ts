import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The load balancer a deployment puts in front of its hub nodes, as small as a test needs: plain HTTP on
 * loopback, sticky (every request goes to the first node of the list that accepts a connection), a node
 * that refuses connections is skipped. Request bodies are small JSON here, so they are buffered to be
 * sent again to the next node. The Host header is passed on as it came (the hub's same-origin checks see the
 * balancer's address, as behind a real one). No WebSocket upgrades.
 */
export class LoopbackBalancer {
  private constructor(private readonly server: Server, private readonly targets: () => string[]) {}

  static async start(targets: () => string[]): Promise<LoopbackBalancer> {
    const server = createServer();
    const balancer = new LoopbackBalancer(server, targets);
    server.on('request', (req, res) => void balancer.forward(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return balancer;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    for (const target of this.targets()) {
      const { hostname, port } = new URL(target);
      const connected = await new Promise<boolean>((resolve) => {
        const upstream = request({ host: hostname, port, method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('error', () => res.destroy());
          // The node died mid-answer (an endless FLV body): the client sees its connection drop, as behind a real balancer.
          answer.on('aborted', () => res.destroy());
          resolve(true);
        });
        upstream.on('error', () => {
          if (res.headersSent) res.destroy();
          resolve(res.headersSent);
        });
        res.on('close', () => upstream.destroy());
        upstream.end(body);
      });
      if (connected) return;
    }
    res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'NO_NODE', message: 'no hub node answers' }));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
