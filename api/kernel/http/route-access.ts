import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { forbidden, unauthorized } from '../errors/hub-error.ts';
import type { Role } from '../db/tables/index.ts';
import type { CurrentUserCheck } from '../auth/current-user.ts';
import type { AuthUser, TokenService } from '../auth/token-service.ts';
import type { ClusterHop } from '../cluster/cluster-hop.ts';

/**
 * Who may call a route. Every route must declare one; there is no default.
 * - 'public': anyone (login, health, the player's static files).
 * - 'user': any logged-in user.
 * - 'signed-url': the route checks a short-lived signed URL token itself (media segments a <video> fetches).
 * - 'cluster-node': another node of the hub's cluster, by its signed internal request (ClusterHop); refused
 *   when the hub runs alone.
 * - a list of roles: logged-in users with one of them (admin passes every role check).
 */
export type RouteAccess = 'public' | 'user' | 'signed-url' | 'cluster-node' | readonly Role[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** Binary or streamed responses (video, images, CSV) that have no JSON response schema. */
    rawResponse?: boolean;
  }
  interface FastifyRequest {
    user?: AuthUser;
    /** The calling node of a 'cluster-node' route. */
    clusterNode?: string;
  }
  interface FastifyInstance {
    /** Every route with its declared access, for the deny-by-default test and the docs. */
    routeTable: RouteTableEntry[];
  }
}

export interface RouteTableEntry {
  method: string;
  url: string;
  access: RouteAccess;
}

/** approver implies viewer; admin implies everything. */
export function roleSatisfies(role: Role, required: readonly Role[]): boolean {
  if (role === 'admin') return true;
  if (required.includes(role)) return true;
  return role === 'approver' && required.includes('viewer');
}

/** The logged-in user of a route whose access is not 'public'. */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw unauthorized('AUTH_REQUIRED', 'log in first');
  return request.user;
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
  return match?.[1];
}

/**
 * Installs the one authorization gate. Route registration fails (the hub does not start) for a route
 * that declares no access or no response schema; each request is checked before its body is parsed.
 * Tokens are read from the Authorization header only, never from the query string (no leaks into logs).
 */
export function installRouteAccess(app: FastifyInstance, tokens: TokenService, current: CurrentUserCheck, hop?: ClusterHop): void {
  const table: RouteTableEntry[] = [];
  app.decorate('routeTable', table);
  app.addHook('onRoute', (route: RouteOptions) => {
    const access = route.config?.access;
    const where = `${String(route.method)} ${route.url}`;
    if (access === undefined) throw new Error(`route ${where} declares no access (config.access); deny by default`);
    if (!route.config?.rawResponse && !route.schema?.response) throw new Error(`route ${where} declares no response schema`);
    for (const method of [route.method].flat()) table.push({ method: String(method), url: route.url, access });
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    if (access === 'public' || access === 'signed-url') return;
    if (access === 'cluster-node') {
      if (!hop) throw unauthorized('CLUSTER_HOP_REQUIRED', 'this hub runs alone; internal cluster routes are closed');
      request.clusterNode = hop.verify(request.method, request.url, request.headers);
      return;
    }
    // No such route: the not-found handler answers 404 (the route list is public in the OpenAPI document).
    if (request.is404) return;
    if (access === undefined) throw forbidden('ACCESS_UNDECLARED', 'this route is closed');
    const token = bearerToken(request);
    if (!token) throw unauthorized('AUTH_REQUIRED', 'send an access token as "Authorization: Bearer <token>"');
    const user = await tokens.verify(token);
    // A disabled user or a changed role ends the token now, not when it expires.
    await current.assertCurrent(user);
    request.user = user;
    if (access !== 'user' && !roleSatisfies(user.role, access)) {
      throw forbidden('ROLE_REQUIRED', `this action needs one of the roles: ${access.join(', ')}`);
    }
  });
}
