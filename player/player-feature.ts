import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { notFound } from '../api/kernel/errors/hub-error.ts';
import type { HubContext } from '../api/hub/hub-context.ts';
import type { HubFeature } from '../api/kernel/hub-feature.ts';
import { registerMapConfigRoutes, tileOrigins } from './map-config.ts';
import { registerConsoleRoutes } from './console/console-routes.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const WEB_ROOT = join(HERE, 'web');
const NODE_MODULES = join(HERE, '..', 'node_modules');
/** Product modules the pages import as they are (plain ES modules), so the browser holds no copy of their lists. */
const SHARED: Record<string, string> = {
  'shared/plate-vocabulary.js': join(HERE, '..', 'analytics/vocabulary/plate-vocabulary.js'),
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml',
  '.geojson': 'application/geo+json', '.ico': 'image/x-icon',
};

/** Third-party players served from node_modules by exact name; nothing else of node_modules is reachable. */
const VENDOR: Record<string, string> = {
  'hls.min.js': join(NODE_MODULES, 'hls.js/dist/hls.min.js'),
  'mpegts.js': join(NODE_MODULES, 'mpegts.js/dist/mpegts.js'),
  'leaflet.js': join(NODE_MODULES, 'leaflet/dist/leaflet.js'),
  'leaflet.css': join(NODE_MODULES, 'leaflet/dist/leaflet.css'),
  'leaflet.markercluster.js': join(NODE_MODULES, 'leaflet.markercluster/dist/leaflet.markercluster.js'),
  'MarkerCluster.css': join(NODE_MODULES, 'leaflet.markercluster/dist/MarkerCluster.css'),
  'MarkerCluster.Default.css': join(NODE_MODULES, 'leaflet.markercluster/dist/MarkerCluster.Default.css'),
};

// The page talks to its own origin only (and loads images from the configured map tile server); media comes
// through MSE blob: URLs; hls.js runs its worker from a blob. Leaflet positions its panes through the CSSOM, which style-src does not restrict.
function contentSecurityPolicy(tileOrigins: string[]): string {
  return [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", `img-src 'self' blob: data:${tileOrigins.map((o) => ` ${o}`).join('')}`, "media-src 'self' blob:",
    "worker-src 'self' blob:", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
  ].join('; ');
}

interface StaticFile { body: Buffer; type: string }

/** Every file of player/web and the shared modules, read once at start-up: the allowlist is exactly what exists there. */
function loadWebFiles(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (TYPES[extname(name)]) files.set(relative(root, path).split(sep).join('/'), { body: readFileSync(path), type: TYPES[extname(name)]! });
    }
  };
  walk(root);
  for (const [name, path] of Object.entries(SHARED)) files.set(name, { body: readFileSync(path), type: TYPES['.js']! });
  return files;
}

function send(reply: FastifyReply, file: StaticFile, cache: string, csp: string): FastifyReply {
  return reply
    .header('content-security-policy', csp).header('x-content-type-options', 'nosniff').header('x-frame-options', 'DENY')
    // Play URLs carry tokens; never hand them to another site in a Referer.
    .header('referrer-policy', 'no-referrer').header('cache-control', cache)
    .type(file.type).send(file.body);
}

/**
 * The web player: static pages (public; every piece of data comes from the API with the user's bearer token),
 * the console's own API (menu badge counts, saved wall layouts) and the map's base layer settings.
 */
export function createPlayerFeature(ctx: HubContext): HubFeature {
  const files = loadWebFiles(WEB_ROOT);
  const vendor = new Map(Object.entries(VENDOR).map(([name, path]) => [name, { body: readFileSync(path), type: TYPES[extname(name)]! }]));
  const csp = contentSecurityPolicy(tileOrigins(ctx.config.player.map));
  return {
    name: 'player',
    registerRoutes(app) {
      registerConsoleRoutes(app, ctx);
      registerMapConfigRoutes(app, ctx.config.player.map);
    },
    registerRootRoutes(app: FastifyInstance) {
      app.get('/', { config: { access: 'public', rawResponse: true }, schema: { hide: true } }, async (_request, reply) => reply.redirect('/player/'));
      // Browsers ask for /favicon.ico on every page whatever the markup says; answer with the player's icon.
      app.get('/favicon.ico', { config: { access: 'public', rawResponse: true }, schema: { hide: true } },
        async (_request, reply) => send(reply, files.get('favicon.ico')!, 'public, max-age=86400', csp));
      app.get('/player', { config: { access: 'public', rawResponse: true }, schema: { hide: true } }, async (_request, reply) => reply.redirect('/player/'));
      app.get('/player/', { config: { access: 'public', rawResponse: true }, schema: { tags: ['player'], summary: 'The web player' } },
        async (_request, reply) => send(reply, files.get('index.html')!, 'no-cache', csp));
      app.get('/player/vendor/:name', { config: { access: 'public', rawResponse: true }, schema: { hide: true } }, async (request, reply) => {
        const file = vendor.get((request.params as { name: string }).name);
        if (!file) throw notFound('PLAYER_FILE_NOT_FOUND', 'no such player file');
        return send(reply, file, 'public, max-age=86400', csp);
      });
      app.get('/player/*', { config: { access: 'public', rawResponse: true }, schema: { hide: true } }, async (request, reply) => {
        const file = files.get((request.params as { '*': string })['*']);
        if (!file) throw notFound('PLAYER_FILE_NOT_FOUND', 'no such player file');
        return send(reply, file, 'no-cache', csp);
      });
    },
  };
}
