import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../../app/staff.js';
import { countUsers, purgeExpiredSessions } from '../../store/users.js';
import { recordAudit } from '../../store/audit.js';
import { clearLoginToken, issueLoginToken } from './csrf.js';
import type { WebDeps } from './deps.js';
import { redirectWith, sendPage } from './render.js';
import { needs } from '../route-access.js';

/** Only a path on this site (never `//host` or a full URL): no open redirect. */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && !value.startsWith('/login') ? value : '/';
}

interface LoginForm {
  email?: unknown;
  password?: unknown;
  next?: unknown;
}

async function showLogin(deps: WebDeps, request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown>, status = 200) {
  const noUsers = (await countUsers(deps.ctx.store.db)) === 0;
  const csrfLogin = issueLoginToken(request, reply, deps.sessions);
  return sendPage(deps, request, reply, 'login', { title: deps.views.t('login.title'), csrfLogin, noUsers, ...extra }, status);
}

export function loginRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get('/login', needs('public'), async (request, reply) => {
    const next = safeNext((request.query as { next?: unknown }).next);
    if (await deps.sessions.load(request)) return reply.code(303).header('location', next).send();
    return showLogin(deps, request, reply, { next });
  });

  app.post('/login', needs('public'), async (request, reply) => {
    const form = (request.body ?? {}) as LoginForm;
    const email = typeof form.email === 'string' ? form.email.trim().slice(0, 254) : '';
    const password = typeof form.password === 'string' ? form.password.slice(0, 1_000) : '';
    const next = safeNext(form.next);
    const limit = await deps.limiter.check(request.ip, email);
    if (limit.blocked) {
      reply.header('retry-after', String(limit.retryAfterS));
      const minutes = Math.max(1, Math.ceil(limit.retryAfterS / 60));
      return showLogin(deps, request, reply, { next, email, error: deps.views.t('login.tooMany', { minutes }) }, 429);
    }
    const user = email && password ? await authenticate(deps.ctx.store, email, password) : null;
    if (!user) {
      await deps.limiter.recordFailure(request.ip, email);
      request.log.info({ ip: request.ip }, 'failed sign-in');
      return showLogin(deps, request, reply, { next, email, error: deps.views.t('login.wrong') }, 401);
    }
    await deps.limiter.recordSuccess(request.ip, email);
    clearLoginToken(request, reply, deps.sessions);
    await deps.sessions.start(request, reply, user);
    await purgeExpiredSessions(deps.ctx.store.db); // sessions past their end: cheap (indexed), and nothing else needs to run it
    await recordAudit(deps.ctx.store.db, { actor: user.email, action: 'signed_in', subjectType: 'user', subjectId: user.id, details: { ip: request.ip } });
    return reply.code(303).header('location', next).send();
  });

  app.post('/logout', needs('account:write'), async (request, reply) => {
    await deps.sessions.end(request, reply);
    return redirectWith(deps, request, reply, '/login', { kind: 'ok', key: 'login.signedOut' });
  });
}
