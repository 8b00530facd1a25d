import { connect } from 'node:tls';
import type { Socket } from 'node:net';

/**
 * TLS socket for rtsps://. Cameras almost always carry self-signed certificates, so the chain is not
 * verified; the credentials still only go to the host named in the stream URL.
 */
export function tls(url: URL): Socket {
  return connect({ host: url.hostname, port: Number(url.port || 322), servername: url.hostname, rejectUnauthorized: false });
}
