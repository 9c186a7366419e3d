import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, ValidationError, type FieldErrors } from '../../domain/errors.js';
import { displayName, STAFF_ROLES } from '../../domain/staff.js';
import { createStaffUser, editStaffUser, setStaffPassword } from '../../app/staff.js';
import { listUsers } from '../../store/users.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';
import { redirectWith, sendPage } from './render.js';
import { needs } from '../route-access.js';
import { pathId } from '../schemas.js';

const USER_ID = /^usr_[0-9a-f]{32}$/;

const userId = (params: unknown): string => pathId(params, USER_ID, 'user');

async function showUsers(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  extra: { errors?: FieldErrors; values?: Record<string, string> } = {},
  status = 200,
) {
  const users = await listUsers(deps.ctx.store.db);
  const me = request.signedIn!.user.id;
  return sendPage(
    deps,
    request,
    reply,
    'users',
    {
      title: deps.views.t('users.title'),
      users: users.map((u) => ({
        ...u,
        display: displayName(u),
        roleLabel: deps.views.t(`role.${u.role}`),
        isMe: u.id === me,
      })),
      roles: STAFF_ROLES.map((r) => ({ value: r, label: deps.views.t(`role.${r}`) })),
      errors: extra.errors ?? {},
      values: extra.values ?? { role: 'editor' },
    },
    status,
  );
}

/** Admins manage staff accounts: add, change role, disable, set a new password. */
export function userPages(app: FastifyInstance, deps: WebDeps): void {
  app.get('/users', needs('users:read'), async (request, reply) => showUsers(deps, request, reply));

  app.post('/users', needs('users:write'), async (request, reply) => {
    const form = (request.body ?? {}) as FormBody;
    const values = { email: one(form, 'email'), name: one(form, 'name'), role: one(form, 'role') };
    try {
      const user = await createStaffUser(
        deps.ctx.store,
        { ...values, password: one(form, 'password') },
        request.actor,
      );
      return redirectWith(deps, request, reply, '/users', {
        kind: 'ok',
        key: 'users.added',
        params: { email: user.email },
      });
    } catch (error) {
      if (error instanceof ValidationError)
        return showUsers(deps, request, reply, { errors: error.fields, values }, 400);
      if (error instanceof ConflictError)
        return showUsers(deps, request, reply, { errors: { email: error.message }, values }, 409);
      throw error;
    }
  });

  app.post('/users/:id', needs('users:write'), async (request, reply) => {
    const id = userId(request.params);
    const form = (request.body ?? {}) as FormBody;
    const patch: Record<string, unknown> = {};
    if (form.role !== undefined) patch.role = one(form, 'role');
    if (form.disabled !== undefined) patch.disabled = one(form, 'disabled') === 'true';
    if (
      id === request.signedIn!.user.id &&
      (patch.disabled === true || (patch.role !== undefined && patch.role !== 'admin'))
    ) {
      return redirectWith(deps, request, reply, '/users', { kind: 'error', key: 'users.notYourself' });
    }
    try {
      const user = await editStaffUser(deps.ctx.store, id, patch, request.actor);
      return redirectWith(deps, request, reply, '/users', {
        kind: 'ok',
        key: 'users.changed',
        params: { email: user.email },
      });
    } catch (error) {
      if (error instanceof ConflictError || error instanceof ValidationError)
        return redirectWith(deps, request, reply, '/users', {
          kind: 'error',
          key: 'flash.conflict',
          params: { message: error.message },
        });
      throw error;
    }
  });

  app.post('/users/:id/password', needs('users:write'), async (request, reply) => {
    const id = userId(request.params);
    try {
      await setStaffPassword(
        deps.ctx.store,
        id,
        one((request.body ?? {}) as FormBody, 'password'),
        request.actor,
      );
      return redirectWith(deps, request, reply, '/users', { kind: 'ok', key: 'users.passwordSet' });
    } catch (error) {
      if (error instanceof ValidationError)
        return redirectWith(deps, request, reply, '/users', {
          kind: 'error',
          key: 'users.passwordInvalid',
          params: { problem: error.fields.password ?? error.message },
        });
      throw error;
    }
  });
}
