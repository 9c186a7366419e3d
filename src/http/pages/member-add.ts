import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldErrors } from '../../domain/errors.js';
import { REQUIRED_COLUMNS } from '../../domain/member-csv.js';
import { normaliseEmail } from '../../domain/member.js';
import { importContacts } from '../../store/member-import.js';
import { findContactByEmail } from '../../store/members.js';
import { needs } from '../route-access.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';
import { redirectWith } from './render.js';
import type { Views } from './views.js';

// One contact at a time. The form's values become a one-row CSV and go through the import, so a contact
// added by hand passes exactly the checks an imported one passes (and the suppression list).

export const ADD_FIELDS = [...REQUIRED_COLUMNS, 'announcements', 'digest'] as const;
export type AddValues = Record<(typeof ADD_FIELDS)[number], string>;

export function addValuesOf(form: FormBody): AddValues {
  const values = Object.fromEntries(ADD_FIELDS.map((f) => [f, one(form, f).trim()])) as AddValues;
  values.announcements = values.announcements === 'on' ? 'yes' : 'no';
  values.digest = values.digest === 'on' ? 'yes' : 'no';
  return values;
}

/** The field's label, then the problem: "Email address: invalid email "x"". */
export function plainFieldErrors(
  views: Views,
  problems: Array<{ column: string; message: string }>,
): FieldErrors {
  const errors: FieldErrors = {};
  for (const { column, message } of problems) {
    const field = column === 'region_type' || column === 'row' ? 'authority' : column;
    const label = views.t(`members.field.${field}`);
    errors[field] = errors[field] ? `${errors[field]}; ${message}` : `${label}: ${message}`;
  }
  return errors;
}

type ShowMembers = (
  request: FastifyRequest,
  reply: FastifyReply,
  add: { values: AddValues; errors: FieldErrors },
  status: number,
) => Promise<unknown>;

export function memberAddRoute(app: FastifyInstance, deps: WebDeps, showMembers: ShowMembers): void {
  app.post('/members/add', needs('members:write'), async (request, reply) => {
    const values = addValuesOf((request.body ?? {}) as FormBody);
    const email = normaliseEmail(values.email);
    const existing = email ? await findContactByEmail(deps.ctx.store.db, email) : null;
    if (existing) {
      const errors = { email: deps.views.t('members.add.exists', { email: existing.email }) };
      return showMembers(request, reply, { values, errors }, 409);
    }
    const csv = stringify([[...ADD_FIELDS], ADD_FIELDS.map((f) => values[f])]);
    const report = await importContacts(deps.ctx.store, csv, { actor: request.actor, strict: true });
    if (report.rejected.length > 0) {
      const errors = plainFieldErrors(
        deps.views,
        report.rejected.flatMap((r) => r.problems),
      );
      return showMembers(request, reply, { values, errors }, 400);
    }
    return redirectWith(deps, request, reply, '/members', {
      kind: 'ok',
      key: 'members.add.done',
      params: { email: email ?? values.email },
    });
  });
}
