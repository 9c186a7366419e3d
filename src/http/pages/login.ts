import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../../app/staff.js';
import { countUsers, purgeExpiredSessions } from '../../store/users.js';
import { recordAudit } from '../../store/audit.js';
import { clearLoginToken, issueLoginToken } from './csrf.js';
import type { WebDeps } from './deps.js';
import { redirectWith, sendPage } from './render.js';
import { needs } from '../route-access.js';

// C0 controls (tab, CR, LF...), DEL and C1 controls: browsers drop or act on them, so a `next` holding one is refused.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return '\u0000'; // malformed percent-encoding: treated as a control character
  }
}

/**
 * Where to go after signing in: `next` resolved with the WHATWG URL parser (as a browser would) against
 * the public address, kept only when it stays on the same origin and its path holds no control character
 * (raw or percent-encoded) and no backslash. Anything else, and the sign-in page itself, gives `/`. The
 * answer is the URL's own serialisation (path, query, fragment), so it is always a valid header value.
 */
export function safeNext(value: unknown, publicUrl: string): string {
  if (
    typeof value !== 'string' ||
    value === '' ||
    value.length > 2_000 ||
    CONTROL.test(value) ||
    value.includes('\\')
  )
    return '/';
  let url: URL;
  try {
    url = new URL(value, publicUrl);
  } catch {
    return '/';
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (
    url.origin !== new URL(publicUrl).origin ||
    !path.startsWith('/') ||
    path.startsWith('//') ||
    CONTROL.test(decoded(path))
  )
    return '/';
  return url.pathname === '/login' || url.pathname.startsWith('/login/') ? '/' : path;
}

interface LoginForm {
  email?: unknown;
  password?: unknown;
  next?: unknown;
}

async function showLogin(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  extra: Record<string, unknown>,
  status = 200,
) {
  const noUsers = (await countUsers(deps.ctx.store.db)) === 0;
  const csrfLogin = issueLoginToken(request, reply, deps.sessions);
  return sendPage(
    deps,
    request,
    reply,
    'login',
    { title: deps.views.t('login.title'), csrfLogin, noUsers, ...extra },
    status,
  );
}

export function loginRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get('/login', needs('public'), async (request, reply) => {
    const next = safeNext((request.query as { next?: unknown }).next, deps.ctx.config.publicUrl);
    if (await deps.sessions.load(request)) return reply.code(303).header('location', next).send();
    return showLogin(deps, request, reply, { next });
  });

  app.post('/login', needs('public'), async (request, reply) => {
    const form = (request.body ?? {}) as LoginForm;
    const email = typeof form.email === 'string' ? form.email.trim().slice(0, 254) : '';
    const password = typeof form.password === 'string' ? form.password.slice(0, 1_000) : '';
    const next = safeNext(form.next, deps.ctx.config.publicUrl);
    const limit = await deps.limiter.attempt(request.ip, email); // counted and judged in one step
    if (limit.blocked) {
      reply.header('retry-after', String(limit.retryAfterS));
      const minutes = Math.max(1, Math.ceil(limit.retryAfterS / 60));
      return showLogin(
        deps,
        request,
        reply,
        { next, email, error: deps.views.t('login.tooMany', { count: minutes }) },
        429,
      );
    }
    const user = email && password ? await authenticate(deps.ctx.store, email, password) : null;
    if (!user) {
      request.log.info({ ip: request.ip }, 'failed sign-in');
      return showLogin(deps, request, reply, { next, email, error: deps.views.t('login.wrong') }, 401);
    }
    await deps.limiter.recordSuccess(request.ip, email);
    clearLoginToken(request, reply, deps.sessions);
    await deps.sessions.start(request, reply, user);
    await purgeExpiredSessions(deps.ctx.store.db); // sessions past their end: cheap (indexed), and nothing else needs to run it
    await recordAudit(deps.ctx.store.db, {
      actor: user.email,
      action: 'signed_in',
      subjectType: 'user',
      subjectId: user.id,
      details: { ip: request.ip },
    });
    return reply.code(303).header('location', next).send();
  });

  app.post('/logout', needs('account:write'), async (request, reply) => {
    await deps.sessions.end(request, reply);
    return redirectWith(deps, request, reply, '/login', { kind: 'ok', key: 'login.signedOut' });
  });
}
