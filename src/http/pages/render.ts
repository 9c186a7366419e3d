import { can } from '../../domain/permissions.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { displayName } from '../../domain/staff.js';
import type { Params } from './i18n.js';
import type { WebDeps } from './deps.js';

const FLASH_COOKIE = 'herald_flash';

export interface Flash {
  kind: 'ok' | 'error';
  key: string;
  params?: Params;
}

/** A message shown once on the next page (after a redirect), kept in a short-lived signed cookie. */
export function setFlash(deps: WebDeps, request: FastifyRequest, reply: FastifyReply, flash: Flash): void {
  reply.setCookie(FLASH_COOKIE, JSON.stringify(flash), {
    ...deps.sessions.cookieOptions(request),
    maxAge: 120,
  });
}

function takeFlash(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): { kind: string; text: string } | null {
  const raw = request.cookies[FLASH_COOKIE];
  if (!raw) return null;
  reply.clearCookie(FLASH_COOKIE, { ...deps.sessions.cookieOptions(request), signed: false });
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return null;
  try {
    const flash = JSON.parse(unsigned.value) as Flash;
    return { kind: flash.kind === 'error' ? 'error' : 'ok', text: deps.views.t(flash.key, flash.params) };
  } catch {
    return null;
  }
}

/** Redirect after a form post (303: the browser follows with GET), with an optional message. */
export function redirectWith(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  to: string,
  flash?: Flash,
) {
  if (flash) setFlash(deps, request, reply, flash);
  return reply.code(303).header('location', to).send();
}

/**
 * Runs a form's action and returns to `back` with the message it gives. An error that `refusal` puts
 * in words (a refused request, not a bug) becomes an error message there; any other is rethrown.
 */
export async function runFormAction(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  back: string,
  refusal: (error: unknown) => string | null,
  action: () => Promise<Flash>,
  afterwards = back,
) {
  try {
    return redirectWith(deps, request, reply, afterwards, await action());
  } catch (error) {
    const message = refusal(error);
    if (message === null) throw error;
    return redirectWith(deps, request, reply, back, {
      kind: 'error',
      key: 'flash.conflict',
      params: { message },
    });
  }
}

interface NavEntry {
  href: string;
  label: string;
  current: boolean;
}

function navigation(deps: WebDeps, request: FastifyRequest): NavEntry[] {
  const user = request.signedIn?.user;
  if (!user) return [];
  const path = request.url.split('?')[0]!;
  return deps.nav
    .filter((n) => can(user.role, n.permission))
    .map((n) => ({
      href: n.href,
      label: deps.views.t(n.label),
      current: n.href === '/' ? path === '/' : path.startsWith(n.href),
    }));
}

/** The data every page template gets, plus the page's own. */
export function pageData(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  data: Record<string, unknown>,
  opts: { flash?: boolean } = {},
): Record<string, unknown> {
  const signedIn = request.signedIn;
  const user = signedIn?.user;
  return {
    lang: deps.views.i18n.language,
    organisation: deps.ctx.config.organisationName,
    zone: user?.timezone ?? deps.ctx.config.timezone,
    user: user
      ? {
          name: displayName(user),
          email: user.email,
          role: user.role,
          roleLabel: deps.views.t(`role.${user.role}`),
          isAdmin: user.role === 'admin',
        }
      : null,
    csrf: signedIn?.session.csrfToken ?? '',
    nav: navigation(deps, request),
    flash: opts.flash === false ? null : takeFlash(deps, request, reply),
    ...data,
  };
}

export function sendPage(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  name: string,
  data: Record<string, unknown>,
  status = 200,
) {
  const html = deps.views.page(name, pageData(deps, request, reply, data));
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}
