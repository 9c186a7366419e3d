import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError, type FieldErrors } from '../../domain/errors.js';
import { isTimeZone } from '../../domain/schedule.js';
import { changeOwnPassword, editStaffUser } from '../../app/staff.js';
import { deleteUserSessions, listUserSessions } from '../../store/users.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';
import { redirectWith, sendPage } from './render.js';
import { needs } from '../route-access.js';

const ZONES = Intl.supportedValuesOf('timeZone');

/** A language's name in that language ("English", "français"): how people find their own. */
const languageName = (tag: string) => new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag;

async function showAccount(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  errors: FieldErrors = {},
  status = 200,
) {
  const { user, session } = request.signedIn!;
  const sessions = await listUserSessions(deps.ctx.store.db, user.id);
  const zone = user.timezone ?? '';
  return sendPage(
    deps,
    request,
    reply,
    'account',
    {
      title: deps.views.t('account.title'),
      profile: { name: user.name, email: user.email, role: deps.views.t(`role.${user.role}`), zone },
      zones: ZONES.map((z) => ({ value: z, selected: z === zone })),
      languages: deps.views.languages.map((l) => ({
        value: l,
        label: languageName(l),
        selected: l === user.language,
      })),
      defaultZone: deps.ctx.config.timezone,
      sessions: sessions.map((s) => ({
        createdAt: s.createdAt,
        lastSeenAt: s.lastSeenAt,
        ip: s.ip,
        userAgent: s.userAgent,
        current: s.id === session.id,
      })),
      others: sessions.length - 1,
      errors,
    },
    status,
  );
}

/** Each person's own account: name, time zone, password, where they are signed in. */
export function accountPages(app: FastifyInstance, deps: WebDeps): void {
  app.get('/account', needs('account:read'), async (request, reply) => showAccount(deps, request, reply));

  app.post('/account', needs('account:write'), async (request, reply) => {
    const form = (request.body ?? {}) as FormBody;
    const zone = one(form, 'timezone').trim();
    const language = one(form, 'language').trim();
    const errors: FieldErrors = {};
    if (zone && !isTimeZone(zone)) errors.timezone = deps.views.t('account.zoneInvalid');
    if (language && !deps.views.languages.includes(language))
      errors.language = deps.views.t('account.languageInvalid');
    if (Object.keys(errors).length > 0) return showAccount(deps, request, reply, errors, 400);
    await editStaffUser(
      deps.ctx.store,
      request.signedIn!.user.id,
      { name: one(form, 'name'), timezone: zone || null, language: language || null },
      request.actor,
    );
    return redirectWith(deps, request, reply, '/account', { kind: 'ok', key: 'account.saved' });
  });

  app.post('/account/password', needs('account:write'), async (request, reply) => {
    const form = (request.body ?? {}) as FormBody;
    const { user, session } = request.signedIn!;
    if (one(form, 'newPassword') !== one(form, 'confirmPassword'))
      return showAccount(deps, request, reply, { confirmPassword: deps.views.t('account.mismatch') }, 400);
    try {
      await changeOwnPassword(
        deps.ctx.store,
        user,
        one(form, 'currentPassword'),
        one(form, 'newPassword'),
        session.id,
      );
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const errors = { ...error.fields };
      if (errors.password) errors.newPassword = errors.password;
      return showAccount(deps, request, reply, errors, 400);
    }
    return redirectWith(deps, request, reply, '/account', { kind: 'ok', key: 'account.passwordChanged' });
  });

  app.post('/account/sessions/end-others', needs('account:write'), async (request, reply) => {
    const { user, session } = request.signedIn!;
    const ended = await deleteUserSessions(deps.ctx.store.db, user.id, session.id);
    return redirectWith(deps, request, reply, '/account', {
      kind: 'ok',
      key: 'account.othersEnded',
      params: { count: ended },
    });
  });
}
