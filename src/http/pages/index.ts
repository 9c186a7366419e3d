import path from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../app/context.js';
import { requireAccess, requireCsrf, accessOf, type Refusals, type RouteInfo } from './access.js';
import { cookieSecret } from './cookie-secret.js';
import type { NavLink, WebDeps } from './deps.js';
import { installPageErrors } from './page-errors.js';
import { LoginLimiter } from './login-limit.js';
import { securityHeaders, PAGES_CSP } from './headers.js';
import { sendPage } from './render.js';
import { Sessions } from './session.js';
import { StaticAssets } from './static-assets.js';
import { pagesTemplateDir, Views } from './views.js';
import { loginRoutes } from './login.js';
import { dashboardRoutes } from './dashboard.js';
import { itemPages } from './items.js';
import { itemActionRoutes } from './item-actions.js';
import { channelPages } from './channels.js';
import { userPages } from './users.js';
import { accountPages } from './account.js';
import { memberPages } from './members.js';
import { newsletterPages } from './newsletters.js';

const NAV: NavLink[] = [
  { href: '/', label: 'nav.dashboard', access: 'editor' },
  { href: '/items', label: 'nav.items', access: 'editor' },
  { href: '/newsletters', label: 'nav.newsletters', access: 'editor' },
  { href: '/members', label: 'nav.members', access: 'admin' },
  { href: '/channels', label: 'nav.channels', access: 'admin' },
  { href: '/users', label: 'nav.users', access: 'admin' },
  { href: '/admin/queues', label: 'nav.queues', access: 'admin' },
  { href: '/account', label: 'nav.account', access: 'editor' },
];

/**
 * Root-level pieces the API needs too: signed cookies, the session store, the request decoration.
 * Call before registering routes.
 */
export async function installWebSupport(app: FastifyInstance, ctx: Context): Promise<WebDeps> {
  await app.register(cookie, { secret: cookieSecret(ctx.config.secretKey, ctx.config.dataDir), algorithm: 'sha256' });
  app.decorateRequest('signedIn', undefined);
  const web = ctx.config.web;
  const sessions = new Sessions(ctx.store, {
    ttlMs: web.sessionHours * 3_600_000,
    idleMs: web.idleMinutes * 60_000,
    secureCookies: web.secureCookies,
    publicHttps: ctx.config.publicUrl.startsWith('https:'),
  });
  const dir = pagesTemplateDir();
  const assets = new StaticAssets(path.join(dir, 'static'));
  const limiter = new LoginLimiter(ctx.queues.connection, ctx.config.queuePrefix, { ...web.loginLimit, windowMs: web.loginLimit.windowMinutes * 60_000 }, ctx.log.child({ component: 'web' }));
  const deps: WebDeps = { ctx, views: new Views(dir, web.language, assets), sessions, limiter, assets, nav: [...NAV], routes: [] };
  app.decorate('staffRoutes', deps.routes);
  return deps;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every staff page route and who may use it (filled as the pages register). */
    staffRoutes: RouteInfo[];
  }
}

function refusals(deps: WebDeps): Refusals {
  return {
    signIn(request: FastifyRequest, reply: FastifyReply) {
      if (request.method === 'GET') {
        const next = encodeURIComponent(request.url);
        return reply.code(303).header('location', `/login?next=${next}`).send();
      }
      return sendPage(deps, request, reply, 'error', { title: deps.views.t('error.signin.title'), message: deps.views.t('error.signin.message') }, 401);
    },
    forbidden(request: FastifyRequest, reply: FastifyReply, why: 'role' | 'csrf') {
      const key = why === 'role' ? 'error.forbidden' : 'error.csrf';
      return sendPage(deps, request, reply, 'error', { title: deps.views.t(`${key}.title`), message: deps.views.t(`${key}.message`), reason: why }, 403);
    },
  };
}

export { queueBoard } from './queue-board.js';

/** The staff pages: everything under their own scope, with form bodies, CSP and role checks. */
export function webPages(deps: WebDeps) {
  return async (app: FastifyInstance) => {
    await app.register(formbody);
    // Pages take HTML forms only: a JSON body would hand handlers numbers, arrays or null where a form has strings.
    app.removeContentTypeParser('application/json');
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) if (method !== 'HEAD') deps.routes.push({ method, url: route.url, access: accessOf(route) });
    });
    const refuse = refusals(deps);
    app.addHook('onRequest', securityHeaders(PAGES_CSP));
    app.addHook('onRequest', requireAccess(deps.sessions, refuse));
    app.addHook('preHandler', requireCsrf(deps.sessions, refuse));
    installPageErrors(app, deps);
    deps.assets.routes(app);
    loginRoutes(app, deps);
    dashboardRoutes(app, deps);
    itemPages(app, deps);
    itemActionRoutes(app, deps);
    channelPages(app, deps);
    userPages(app, deps);
    accountPages(app, deps);
    memberPages(app, deps);
    newsletterPages(app, deps);
  };
}
