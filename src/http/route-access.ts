// Every route says in its own options what lets a request in (`config: { permission }`): a staff
// permission from the table in src/domain/permissions.ts, or one of the kinds below for routes that
// staff sessions do not open. A route without a valid declaration stops the server from starting.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { isStaffPermission, type StaffPermission } from '../domain/permissions.js';

/**
 * Routes outside the permission table, each checked by its own handler:
 * `public` (anyone), `signed-link` (a secret link's token: newsletter links, calendar feeds), `webhook-signature` (a signed
 * webhook call), `metrics-token` (the metrics bearer token).
 */
export const ROUTE_KINDS = ['public', 'signed-link', 'webhook-signature', 'metrics-token'] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];
export type RoutePermission = StaffPermission | RouteKind;

/** Where a staff route lives: the JSON API (bearer token or session, JSON refusals) or the pages (session, sign-in redirect). */
export const SURFACES = ['api', 'page'] as const;
export type Surface = (typeof SURFACES)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: RoutePermission;
    surface?: Surface;
    /** A second permission that also opens the route, to the caller's own items only (contributors). */
    ownItems?: StaffPermission;
  }
  interface FastifyInstance {
    /** Every route the server registered, with its declaration (read by the authorization tests). */
    declaredRoutes: DeclaredRoute[];
  }
}

export interface DeclaredRoute {
  method: string;
  url: string;
  permission: RoutePermission;
  surface: Surface | undefined;
  ownItems: StaffPermission | undefined;
}

export const isRouteKind = (value: unknown): value is RouteKind =>
  typeof value === 'string' && (ROUTE_KINDS as readonly string[]).includes(value);

/** What is wrong with a route's declaration, or null. */
export function declarationProblem(config: RouteOptions['config']): string | null {
  const permission = config?.permission;
  if (isRouteKind(permission)) return null;
  if (!isStaffPermission(permission))
    return `declares no permission (config.permission: a staff permission such as "items:read", or one of ${ROUTE_KINDS.join(', ')})`;
  if (config?.ownItems !== undefined && !isStaffPermission(config.ownItems))
    return `declares an unknown ownItems permission`;
  if (!config?.surface || !(SURFACES as readonly string[]).includes(config.surface))
    return `needs a surface (${SURFACES.join(', ')}) to know how to refuse`;
  return null;
}

/**
 * Records every route (call first, on the root instance, before any route exists) and refuses to start
 * when one has no valid declaration. The check runs when the server gets ready, after the scopes'
 * own onRoute hooks have set what they set (a scope's hooks run after this one).
 */
export function declareRoutes(app: FastifyInstance): void {
  // The url is read now (fastify reuses one options object for `/x` and `/x/`); the config at ready time.
  const seen: Array<{ url: string; methods: string[]; options: RouteOptions }> = [];
  app.decorate('declaredRoutes', [] as DeclaredRoute[]);
  app.addHook('onRoute', (route) => {
    seen.push({ url: route.url, methods: [route.method].flat().filter((m) => m !== 'HEAD'), options: route });
  });
  app.addHook('onReady', async () => {
    const problems: string[] = [];
    for (const { url, methods, options } of seen) {
      const problem = declarationProblem(options.config);
      if (problem) problems.push(`${methods.join(',') || 'HEAD'} ${url} ${problem}`);
      else
        for (const method of methods)
          app.declaredRoutes.push({
            method,
            url,
            permission: options.config!.permission!,
            surface: options.config!.surface,
            ownItems: options.config!.ownItems,
          });
    }
    if (problems.length > 0)
      throw new Error(`routes without a valid permission declaration:\n${problems.join('\n')}`);
  });
}

/** Inside a scope: its routes refuse the way `surface` does (declared on each route's config). */
export function onSurface(scope: FastifyInstance, surface: Surface): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, surface };
  });
}

/**
 * Route options that declare what a route needs: `app.get('/items', needs('items:read'), handler)`. With
 * `ownItems`, a caller who has that permission instead (a contributor) gets in too, to their own items only:
 * the item in the path must be theirs, and lists show only theirs.
 */
export function needs(
  permission: RoutePermission,
  ownItems?: StaffPermission,
): { config: { permission: RoutePermission; ownItems?: StaffPermission } } {
  return { config: ownItems ? { permission, ownItems } : { permission } };
}
