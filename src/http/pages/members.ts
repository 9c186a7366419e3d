import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, ValidationError, type FieldErrors } from '../../domain/errors.js';
import { CONTACT_STATUSES, SUPPORTED_LANGUAGES, type ContactStatus } from '../../domain/member.js';
import { sendContactsCsv } from '../routes/members.js';
import { editContact } from '../../app/members.js';
import { importContacts } from '../../store/member-import.js';
import {
  countContactsByStatus,
  getAuthority,
  getContact,
  listContacts,
  type StoredContact,
} from '../../store/members.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';
import { redirectWith, sendPage } from './render.js';
import { needs } from '../route-access.js';
import { pager, statusOptions } from './lists.js';
import { pathId } from '../schemas.js';
import { CONTACT_ID } from '../newsletter-schemas.js';
import { memberAddRoute, type AddValues } from './member-add.js';
import { addFormView } from './member-add-view.js';
import { rejectedDownloadRoute, importReportView } from './member-rejected.js';

const PAGE_SIZE = 50;
/** Pasted or read from a file by the page: tens of thousands of contacts. */
const IMPORT_LIMIT = 10 * 1024 * 1024;

function listQuery(query: unknown) {
  const q = (query ?? {}) as Record<string, unknown>;
  return {
    q: typeof q.q === 'string' ? q.q.trim().slice(0, 200) : '',
    status: CONTACT_STATUSES.includes(q.status as ContactStatus) ? (q.status as ContactStatus) : undefined,
    language: SUPPORTED_LANGUAGES.includes(q.language as never) ? (q.language as string) : undefined,
    page: Math.max(1, Math.min(10_000, Number.parseInt(String(q.page ?? '1'), 10) || 1)),
  };
}

async function showMembers(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  add: { values: Partial<AddValues>; errors: FieldErrors } = { values: {}, errors: {} },
  status = 200,
) {
  const query = listQuery(request.query);
  const db = deps.ctx.store.db;
  const [{ contacts, total }, counts] = await Promise.all([
    listContacts(db, {
      q: query.q || undefined,
      status: query.status,
      language: query.language,
      limit: PAGE_SIZE,
      offset: (query.page - 1) * PAGE_SIZE,
    }),
    countContactsByStatus(db),
  ]);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const link = (page: number) =>
    `/members?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), ...(query.status ? { status: query.status } : {}), ...(query.language ? { language: query.language } : {}), page: String(page) })}`;
  const t = (k: string, p?: Record<string, unknown>) => deps.views.t(k, p);
  return sendPage(
    deps,
    request,
    reply,
    'members',
    {
      title: t('members.title'),
      contacts: contacts.map((c) => ({ ...c, statusLabel: t(`contact.status.${c.status}`) })),
      total,
      counts: CONTACT_STATUSES.map((s) => ({ label: t(`contact.status.${s}`), count: counts[s] ?? 0 })),
      query,
      statuses: statusOptions(t, 'contact', CONTACT_STATUSES, query.status),
      languages: SUPPORTED_LANGUAGES.map((l) => ({ value: l, selected: l === query.language })),
      pager: pager(query.page, pages, link),
      scripts: ['csv-file.js'],
      ...addFormView(deps, add),
    },
    status,
  );
}

export async function showContact(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  contact: StoredContact,
  errors: FieldErrors = {},
  status = 200,
) {
  const authority = contact.authorityId ? await getAuthority(deps.ctx.store.db, contact.authorityId) : null;
  const t = (k: string) => deps.views.t(k);
  return sendPage(
    deps,
    request,
    reply,
    'contact',
    {
      title: contact.name || contact.email,
      contact,
      authority,
      errors,
      languages: SUPPORTED_LANGUAGES.map((l) => ({ value: l, selected: l === contact.language })),
      statuses: CONTACT_STATUSES.map((s) => ({
        value: s,
        label: t(`contact.status.${s}`),
        selected: s === contact.status,
      })),
    },
    status,
  );
}

export const contactId = (params: unknown): string => pathId(params, CONTACT_ID, 'contact');

/** Members (authorities and their contacts): list, search, edit a contact, import a CSV with a per-row report, export. Admins only. */
export function memberPages(app: FastifyInstance, deps: WebDeps): void {
  app.get('/members', needs('members:read'), async (request, reply) => showMembers(deps, request, reply));
  memberAddRoute(app, deps, (request, reply, add, status) => showMembers(deps, request, reply, add, status));
  rejectedDownloadRoute(app, deps);

  app.post(
    '/members/import',
    { ...needs('members:write'), bodyLimit: IMPORT_LIMIT },
    async (request, reply) => {
      const form = (request.body ?? {}) as FormBody;
      const csv = one(form, 'csv');
      if (!csv.trim())
        return redirectWith(deps, request, reply, '/members', { kind: 'error', key: 'members.importEmpty' });
      const dryRun = one(form, 'dryRun') === 'on';
      const report = await importContacts(deps.ctx.store, csv, { actor: request.actor, dryRun });
      return sendPage(deps, request, reply, 'member-import', {
        title: deps.views.t('members.importReport'),
        report,
        dryRun,
        csv: dryRun ? csv : null,
        ...importReportView(deps, report, csv),
      });
    },
  );

  app.get('/members/export', needs('members:read'), async (request, reply) =>
    sendContactsCsv(deps.ctx.store, request.actor, reply),
  );

  app.get('/members/contacts/:id', needs('members:read'), async (request, reply) =>
    showContact(deps, request, reply, await getContact(deps.ctx.store.db, contactId(request.params))),
  );

  app.post('/members/contacts/:id', needs('members:write'), async (request, reply) => {
    const id = contactId(request.params);
    const form = (request.body ?? {}) as FormBody;
    const patch = {
      name: one(form, 'name'),
      email: one(form, 'email'),
      language: one(form, 'language'),
      subscriptions: {
        announcements: one(form, 'announcements') === 'on',
        digest: one(form, 'digest') === 'on',
      },
      status: one(form, 'status') as ContactStatus,
    };
    try {
      await editContact(
        deps.ctx.store,
        id,
        { ...patch, status: CONTACT_STATUSES.includes(patch.status) ? patch.status : undefined },
        request.actor,
      );
    } catch (error) {
      const current = await getContact(deps.ctx.store.db, id);
      const shown = { ...current, name: patch.name, email: patch.email };
      if (error instanceof ValidationError)
        return showContact(deps, request, reply, shown, error.fields, 400);
      if (error instanceof ConflictError)
        return showContact(
          deps,
          request,
          reply,
          shown,
          { [error.code === 'duplicate_email' ? 'email' : 'status']: error.message },
          409,
        );
      throw error;
    }
    return redirectWith(deps, request, reply, '/members', {
      kind: 'ok',
      key: 'members.contactSaved',
      params: { email: patch.email },
    });
  });
}
