// Member authorities and their contacts: list, search, edit, CSV import and export (inside /api).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../../app/context.js';
import type { Store } from '../../store/db.js';
import { exportContactsCsv } from '../../domain/member-csv.js';
import { recordAudit } from '../../store/audit.js';
import {
  getAuthority,
  getContact,
  listAllAuthorities,
  listAllContacts,
  listAuthorities,
  listContacts,
} from '../../store/members.js';
import { importContacts } from '../../store/member-import.js';
import { createAuthority, createContact, editAuthority, editContact } from '../../app/members.js';
import { eraseContact, exportContact } from '../../app/contact-privacy.js';
import {
  AUTHORITY_ID,
  CONTACT_ID,
  authorityPatch,
  contactListQuery,
  contactPatch,
  eraseConfirmation,
  importQuery,
  memberListQuery,
} from '../newsletter-schemas.js';
import { needs } from '../route-access.js';
import { pathId } from '../schemas.js';

/** Large enough for tens of thousands of contacts. */
const CSV_LIMIT = 20 * 1024 * 1024;

const authorityId = (params: unknown): string => pathId(params, AUTHORITY_ID, 'member authority');
const contactId = (params: unknown): string => pathId(params, CONTACT_ID, 'contact');

export function memberRoutes(app: FastifyInstance, ctx: Context): void {
  const { store } = ctx;

  app.get('/api/members', needs('members:read'), async (request) => {
    const q = memberListQuery.parse(request.query);
    const { authorities, total } = await listAuthorities(store.db, q);
    return { members: authorities, total, limit: q.limit, offset: q.offset };
  });

  app.post('/api/members', needs('members:write'), async (request, reply) => {
    const authority = await createAuthority(store, request.body, request.actor);
    return reply.code(201).header('location', `/api/members/${authority.id}`).send(authority);
  });

  app.get('/api/members/:id', needs('members:read'), async (request) => {
    const id = authorityId(request.params);
    const [authority, contacts] = await Promise.all([
      getAuthority(store.db, id),
      listContacts(store.db, { authorityId: id, limit: 500, offset: 0 }),
    ]);
    return { ...authority, contacts: contacts.contacts };
  });

  app.patch('/api/members/:id', needs('members:write'), async (request) =>
    editAuthority(
      store,
      authorityId(request.params),
      authorityPatch.parse(request.body ?? {}),
      request.actor,
    ),
  );

  app.get('/api/contacts', needs('members:read'), async (request) => {
    const q = contactListQuery.parse(request.query);
    const { contacts, total } = await listContacts(store.db, q);
    return { contacts, total, limit: q.limit, offset: q.offset };
  });

  app.post('/api/contacts', needs('members:write'), async (request, reply) => {
    const contact = await createContact(store, request.body, request.actor);
    return reply.code(201).header('location', `/api/contacts/${contact.id}`).send(contact);
  });

  app.get('/api/contacts/export', needs('members:read'), async (request, reply) =>
    sendContactsCsv(store, request.actor, reply),
  );

  app.get('/api/contacts/:id', needs('members:read'), async (request) =>
    getContact(store.db, contactId(request.params)),
  );

  app.patch('/api/contacts/:id', needs('members:write'), async (request) =>
    editContact(store, contactId(request.params), contactPatch.parse(request.body ?? {}), request.actor),
  );

  // GDPR: everything held about the contact, as JSON; and erasure (the address stays suppressed, hashed).
  app.get('/api/contacts/:id/personal-data', needs('members:read'), async (request, reply) => {
    const data = await exportContact(store, contactId(request.params), request.actor);
    return reply.header('cache-control', 'no-store').send(data);
  });

  app.post('/api/contacts/:id/erase', needs('members:write'), async (request) => {
    const id = contactId(request.params);
    eraseConfirmation.parse(request.body ?? {});
    return eraseContact(store, id, request.actor);
  });

  // The import takes the CSV as the body (text/csv); its own scope, so only this route parses CSV.
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'text/csv',
      { parseAs: 'string', bodyLimit: CSV_LIMIT },
      (_request, body, done) => done(null, body),
    );
    scope.post('/api/contacts/import', needs('members:write'), async (request) => {
      const q = importQuery.parse(request.query);
      const body = request.body ?? '';
      if (typeof body !== 'string')
        throw Object.assign(new Error('send the CSV file as the body with Content-Type: text/csv'), {
          statusCode: 415,
        });
      return importContacts(store, body, { actor: request.actor, dryRun: q.dryRun, strict: q.strict });
    });
  });
}

/** Every contact as CSV, as a download (the API and the members page), recorded in the audit log. */
export async function sendContactsCsv(
  store: Store,
  actor: string,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const [authorities, contacts] = await Promise.all([
    listAllAuthorities(store.db),
    listAllContacts(store.db),
  ]);
  await recordAudit(store.db, {
    actor,
    action: 'contacts_exported',
    subjectType: 'contacts',
    subjectId: 'export',
    details: { contacts: contacts.length },
  });
  const day = new Date().toISOString().slice(0, 10);
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="herald-contacts-${day}.csv"`)
    .header('cache-control', 'no-store')
    .send(exportContactsCsv(authorities, contacts));
}
