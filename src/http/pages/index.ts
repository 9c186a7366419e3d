import path from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../app/context.js';
import { pageRefusals, requireCsrf } from './access.js';
import { onSurface } from '../route-access.js';
import { cookieSecret } from './cookie-secret.js';
import type { NavLink, WebDeps } from './deps.js';
import { installPageErrors } from './page-errors.js';
import { formsTakeEffectOnce } from './form-once.js';
import { LoginLimiter } from './login-limit.js';
import { securityHeaders, PAGES_CSP } from './headers.js';
import { Sessions } from './session.js';
import { StaticAssets } from './static-assets.js';
import { PageReader } from '../../net/link-card.js';
import { pagesTemplateDir, Views } from './views.js';
import { languageNow, serveInRequestLanguage } from './ui-language.js';
import { loginRoutes } from './login.js';
import { dashboardRoutes } from './dashboard.js';
import { itemPages } from './items.js';
import { itemActionRoutes } from './item-actions.js';
import { reviewPages } from './review.js';
import { channelPages } from './channels.js';
import { holdActionRoutes } from './hold-actions.js';
import { connectPages } from './connect.js';
import { userPages } from './users.js';
import { accountPages } from './account.js';
import { memberPages } from './members.js';
import { contactPrivacyPages } from './contact-privacy.js';
import { newsletterPages } from './newsletters.js';
import { newsletterConfirmPage } from './newsletter-confirm.js';
import { announceScheduledRoute } from './announce-scheduled.js';
import { itemCopyRoute } from './item-copy.js';
import { calendarPages } from './calendar.js';
import { LIBRARY_PATH, mediaLibraryPages } from './media-library.js';
import { PAGE_MULTIPART } from './editor-upload.js';
import { itemLiveRoutes } from './item-live.js';
import { itemDeleteRoutes } from './item-delete.js';
import { dryRunPostPages } from './dry-run-post.js';

const NAV: NavLink[] = [
  { href: '/', label: 'nav.dashboard', permission: 'items:read' },
  { href: '/items', label: 'nav.items', permission: 'items:read' },
  { href: '/calendar', label: 'nav.calendar', permission: 'items:read' },
  { href: '/review', label: 'nav.review', permission: 'review:read' },
  { href: '/submissions', label: 'nav.submissions', permission: 'submissions:read' },
  { href: LIBRARY_PATH, label: 'nav.library', permission: 'media:read' },
  { href: '/newsletters', label: 'nav.newsletters', permission: 'newsletters:read' },
  { href: '/members', label: 'nav.members', permission: 'members:read' },
  { href: '/channels', label: 'nav.channels', permission: 'channels:read' },
  { href: '/users', label: 'nav.users', permission: 'users:read' },
  { href: '/admin/queues', label: 'nav.queues', permission: 'queues:read' },
  { href: '/account', label: 'nav.account', permission: 'account:read' },
];

/**
 * Root-level pieces the API needs too: signed cookies, the session store, the request decoration.
 * Call before registering routes.
 */
export async function installWebSupport(app: FastifyInstance, ctx: Context): Promise<WebDeps> {
  await app.register(cookie, {
    secret: cookieSecret(ctx.config.secretKey, ctx.config.dataDir),
    algorithm: 'sha256',
  });
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
  const limiter = new LoginLimiter(
    ctx.queues.connection,
    ctx.config.queuePrefix,
    { ...web.loginLimit, windowMs: web.loginLimit.windowMinutes * 60_000 },
    ctx.log.child({ component: 'web' }),
  );
  const deps: WebDeps = {
    ctx,
    views: new Views(dir, web.language, assets, languageNow),
    sessions,
    limiter,
    assets,
    nav: [...NAV],
    // One per server: typing in the editor previews the same address again and again.
    pageReader: new PageReader({ fetch: { allowPrivate: ctx.config.allowPrivateUrls } }),
  };
  return deps;
}

export { queueBoard } from './queue-board.js';

/** The staff pages: everything under their own scope, with form bodies, CSP and CSRF checks (roles: see authorize.ts). */
export function webPages(deps: WebDeps) {
  return async (app: FastifyInstance) => {
    await app.register(formbody);
    // The item editor's form is multipart (a picture can come with it); other forms are urlencoded.
    await app.register(multipart, PAGE_MULTIPART);
    // Pages take HTML forms only: a JSON body would hand handlers numbers, arrays or null where a form has strings.
    app.removeContentTypeParser('application/json');
    onSurface(app, 'page');
    serveInRequestLanguage(app);
    app.addHook('onRequest', securityHeaders(PAGES_CSP));
    app.addHook('preHandler', requireCsrf(deps.sessions, pageRefusals(deps)));
    formsTakeEffectOnce(app, deps); // after the CSRF check: only a genuine form claims its token
    installPageErrors(app, deps);
    deps.assets.routes(app);
    loginRoutes(app, deps);
    dashboardRoutes(app, deps);
    itemPages(app, deps);
    itemActionRoutes(app, deps);
    reviewPages(app, deps);
    itemLiveRoutes(app, deps);
    itemDeleteRoutes(app, deps);
    dryRunPostPages(app, deps);
    channelPages(app, deps);
    holdActionRoutes(app, deps);
    connectPages(app, deps);
    userPages(app, deps);
    accountPages(app, deps);
    memberPages(app, deps);
    contactPrivacyPages(app, deps);
    newsletterPages(app, deps);
    newsletterConfirmPage(app, deps);
    announceScheduledRoute(app, deps);
    itemCopyRoute(app, deps);
    calendarPages(app, deps);
    mediaLibraryPages(app, deps);
  };
}
