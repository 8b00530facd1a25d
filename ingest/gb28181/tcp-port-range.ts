import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP server on the first free port of [min, max], tried from a random offset (streams started at the
 * same time do not all race for the lowest port); undefined when every port is taken.
 */
export async function listenInPortRange(host: string, min: number, max: number, onConnection: (socket: Socket) => void): Promise<Server | undefined> {
  const span = Math.max(1, max - min + 1);
  const first = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = min + ((first + i) % span);
    const server = createServer(onConnection);
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, host, () => resolve(true));
    });
    if (!bound) continue;
    server.on('error', () => {});
    return server;
  }
  return undefined;
}
