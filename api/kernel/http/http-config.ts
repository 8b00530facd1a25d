import { Type, type Static } from '@sinclair/typebox';

/** The `http` section of the hub's config: the listener, its limits and the proxies it believes. */
export const HttpConfigSchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65_535, default: 8080 }),
    publicUrl: Type.String({ default: '', description: 'URL users reach the hub at; derived from host and port when empty' }),
    bodyLimitBytes: Type.Integer({ minimum: 1_024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
    trustProxy: Type.Union([Type.Literal(false), Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 })], {
      default: false,
      description: 'reverse proxies whose X-Forwarded-For is believed: false, or addresses/CIDRs (env: comma list, e.g. 127.0.0.1,10.0.0.0/8)',
    }),
    requestTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 30, description: 'a whole request, body included, must arrive within this; slower clients get 408' }),
    headersTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 300, default: 10, description: 'request headers must arrive within this (at most requestTimeoutSeconds)' }),
    keepAliveTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 10, description: 'an idle keep-alive connection is closed after this' }),
    connectionTimeoutSeconds: Type.Integer({ minimum: 0, maximum: 3_600, default: 60, description: 'a socket with no bytes either way is closed after this; 0 = never (event-stream heartbeats must be shorter)' }),
    outboundAllowedNetworks: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      maxItems: 64, default: [],
      description: 'networks (addresses/CIDRs) outbound fetches and pushes may reach although internal: camera snapshot URIs, webhook and subscription receivers (env: comma list, e.g. 10.20.0.0/16). Loopback, link-local and private addresses are refused otherwise; multicast and unspecified always',
    }),
    rateLimitPerMinute: Type.Integer({ minimum: 10, maximum: 1_000_000, default: 3_000, description: 'API requests per minute per user (per source address before login); media URLs are exempt; the next is 429 RATE_LIMITED' }),
    maxEventStreamsPerUser: Type.Integer({ minimum: 1, maximum: 1_000, default: 8, description: 'open Server-Sent Event streams one user may hold; the next is 429 TOO_MANY_EVENT_STREAMS' }),
    allowedHosts: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 32, default: [], description: 'with publicUrl set, further host[:port] names requests may use (e.g. an internal health-check name); env: comma list' }),
    maxConnectionsPerIp: Type.Integer({ minimum: 1, maximum: 100_000, default: 512, description: 'open connections one client address may hold (trusted proxies exempt); the next is refused with 429' }),
  },
  { additionalProperties: false, default: {} },
);

export type HttpConfig = Static<typeof HttpConfigSchema>;
