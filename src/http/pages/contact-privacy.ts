import type { FastifyInstance } from 'fastify';
import { eraseContact, exportContact } from '../../app/contact-privacy.js';
import { getContact } from '../../store/members.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';
import { redirectWith } from './render.js';
import { needs } from '../route-access.js';
import { contactId, showContact } from './members.js';

/** GDPR on the contact page: the JSON export of everything held, and erasure after an explicit tick. */
export function contactPrivacyPages(app: FastifyInstance, deps: WebDeps): void {
  app.get('/members/contacts/:id/personal-data', needs('members:read'), async (request, reply) => {
    const id = contactId(request.params);
    const data = await exportContact(deps.ctx.store, id, request.actor);
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="personal-data-${id}.json"`)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(data, null, 2));
  });

  app.post('/members/contacts/:id/erase', needs('members:write'), async (request, reply) => {
    const id = contactId(request.params);
    const form = (request.body ?? {}) as FormBody;
    if (one(form, 'confirm') !== 'on') {
      const contact = await getContact(deps.ctx.store.db, id);
      const problem = deps.views.t('contact.eraseConfirmMissing');
      return showContact(deps, request, reply, contact, { confirm: problem }, 400);
    }
    await eraseContact(deps.ctx.store, id, request.actor);
    return redirectWith(deps, request, reply, '/members', { kind: 'ok', key: 'contact.erased' });
  });
}
