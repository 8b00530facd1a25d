import { request } from 'node:http';
import type { TestHub } from './test-hub.ts';

export interface LoginResult { status: number; code?: string; retryAfter: number }

/** POST /auth/login from a chosen loopback source address (127.0.0.x), optionally through "a proxy" header. */
export function loginFrom(t: TestHub, localAddress: string, username: string, password: string, headers: Record<string, string> = {}): Promise<LoginResult> {
  const body = JSON.stringify({ username, password });
  const { port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, localAddress, method: 'POST', path: '/api/v1/auth/login', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: text ? (JSON.parse(text) as { code?: string }).code : undefined, retryAfter: Number(res.headers['retry-after'] ?? 0) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
