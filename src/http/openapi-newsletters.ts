// OpenAPI description of the member, contact and newsletter API and of the public newsletter links,
// generated from the zod schemas that validate the requests. Spread into src/http/openapi.ts.
import { RECIPIENT_STATUSES } from '../domain/newsletter-send.js';
import { authorityFieldsSchema, contactFieldsSchema } from '../domain/member.js';
import { newsletterInputSchema, newsletterPatchSchema, testSendSchema } from '../newsletter/staff-tools.js';
import {
  authorityPatch,
  contactListQuery,
  contactPatch,
  eraseConfirmation,
  importQuery,
  memberListQuery,
  newsletterListQuery,
  previewQuery,
  recipientListQuery,
  sendBody,
} from './newsletter-schemas.js';
import { errorResponse, errors, idParam, json, jsonSchema, queryParams } from './openapi-parts.js';

const conflict = {
  '409': errorResponse('Not possible in the current state (e.g. pausing a newsletter that is not sending)'),
};

const progress = {
  type: 'object',
  description: 'Recipients by status',
  properties: Object.fromEntries(['total', ...RECIPIENT_STATUSES].map((k) => [k, { type: 'integer' }])),
};

export const newsletterSchemas = {
  AuthorityInput: jsonSchema(authorityFieldsSchema),
  AuthorityPatch: jsonSchema(authorityPatch),
  ContactInput: jsonSchema(contactFieldsSchema),
  ContactPatch: jsonSchema(contactPatch),
  EraseConfirmation: jsonSchema(eraseConfirmation),
  NewsletterInput: jsonSchema(newsletterInputSchema),
  NewsletterPatch: jsonSchema(newsletterPatchSchema),
  SendRequest: jsonSchema(sendBody),
  TestSendRequest: jsonSchema(testSendSchema),
  Progress: progress,
  ImportReport: {
    type: 'object',
    properties: {
      rows: { type: 'integer' },
      created: { type: 'integer' },
      updated: { type: 'integer' },
      unchanged: { type: 'integer' },
      authoritiesCreated: { type: 'integer' },
      applied: { type: 'boolean', description: 'false for a dry run, or a strict import with rejected rows' },
      rejected: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            line: { type: 'integer' },
            email: { type: 'string' },
            reason: { type: 'string' },
            problems: { type: 'array' },
          },
        },
      },
      notes: {
        type: 'array',
        items: { type: 'object', properties: { line: { type: 'integer' }, message: { type: 'string' } } },
      },
    },
  },
};

const action = (summary: string) => ({
  post: {
    summary,
    parameters: idParam,
    responses: { '200': { description: 'The newsletter with its progress' }, ...conflict, ...errors },
  },
});
const page = (summary: string) => ({
  summary,
  security: [],
  parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
});

export const newsletterPaths = {
  '/api/members': {
    get: {
      summary: 'Member authorities with their number of contacts',
      parameters: queryParams(memberListQuery),
      responses: { '200': { description: 'A page of members' }, ...errors },
    },
    post: {
      summary: 'Add a member authority',
      requestBody: { required: true, ...json('AuthorityInput') },
      responses: {
        '201': { description: 'Created' },
        '409': errorResponse('Same name and country exists'),
        ...errors,
      },
    },
  },
  '/api/members/{id}': {
    get: {
      summary: 'A member authority and its contacts',
      parameters: idParam,
      responses: { '200': { description: 'The member' }, ...errors },
    },
    patch: {
      summary: 'Edit a member authority',
      parameters: idParam,
      requestBody: json('AuthorityPatch'),
      responses: { '200': { description: 'The member' }, ...errors },
    },
  },
  '/api/contacts': {
    get: {
      summary: 'List and search contacts (name, email, authority)',
      parameters: queryParams(contactListQuery),
      responses: { '200': { description: 'A page of contacts' }, ...errors },
    },
    post: {
      summary: 'Add a contact',
      requestBody: { required: true, ...json('ContactInput') },
      responses: {
        '201': { description: 'Created' },
        '409': errorResponse('The email belongs to another contact'),
        ...errors,
      },
    },
  },
  '/api/contacts/{id}': {
    get: {
      summary: 'A contact',
      parameters: idParam,
      responses: { '200': { description: 'The contact' }, ...errors },
    },
    patch: {
      summary: 'Edit a contact (a contact who unsubscribed cannot be made active by staff)',
      parameters: idParam,
      requestBody: json('ContactPatch'),
      responses: { '200': { description: 'The contact' }, ...conflict, ...errors },
    },
  },
  '/api/contacts/{id}/personal-data': {
    get: {
      summary:
        'GDPR export: everything held about the contact (contact, authority, newsletters sent, bounces and complaints, suppression, history), as JSON; audited',
      parameters: idParam,
      responses: { '200': { description: "The contact's data" }, ...errors },
    },
  },
  '/api/contacts/{id}/erase': {
    post: {
      summary:
        'GDPR erasure: removes the contact, its address and name wherever copied, and its history; the address stays on the suppression list as a salted hash (reason erased); audited',
      parameters: idParam,
      requestBody: { required: true, ...json('EraseConfirmation') },
      responses: { '200': { description: 'What was erased' }, ...errors },
    },
  },
  '/api/contacts/import': {
    post: {
      summary:
        'Create or update contacts from CSV (header authority,country,name,email,language; optional region_type, announcements, digest), in one transaction',
      parameters: queryParams(importQuery),
      requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
      responses: {
        '200': {
          description: 'What was imported, and every rejected row with its line and reason',
          ...json('ImportReport'),
        },
        '415': errorResponse('Not sent as text/csv'),
        ...errors,
      },
    },
  },
  '/api/contacts/export': {
    get: {
      summary: 'Every contact as CSV (importable as is)',
      responses: {
        '200': { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
        ...errors,
      },
    },
  },
  '/api/newsletters': {
    get: {
      summary: 'Newsletters with their progress',
      parameters: queryParams(newsletterListQuery),
      responses: { '200': { description: 'A page of newsletters' }, ...errors },
    },
    post: {
      summary: 'Create a draft newsletter',
      requestBody: { required: true, ...json('NewsletterInput') },
      responses: { '201': { description: 'Created' }, ...errors },
    },
  },
  '/api/newsletters/{id}': {
    get: {
      summary: 'A newsletter, its progress counts (sent, pending, deferred, bounced, failed...) and history',
      parameters: idParam,
      responses: { '200': { description: 'The newsletter' }, ...errors },
    },
    patch: {
      summary: 'Edit a draft (items, subject)',
      parameters: idParam,
      requestBody: json('NewsletterPatch'),
      responses: { '200': { description: 'The newsletter' }, ...conflict, ...errors },
    },
  },
  '/api/newsletters/{id}/preview': {
    get: {
      summary: 'The message as a contact would get it',
      parameters: [...idParam, ...queryParams(previewQuery)],
      responses: {
        '200': {
          description: 'JSON {to, language, subject, html, text, warnings}, or the HTML or text part',
        },
        '422': errorResponse('The template does not compile (file and line of each problem)'),
        ...errors,
      },
    },
  },
  '/api/newsletters/{id}/test': {
    post: {
      summary: 'Send it now to any address, marked [Test]; never counts as sent to a member',
      parameters: idParam,
      requestBody: { required: true, ...json('TestSendRequest') },
      responses: {
        '200': { description: "The server's reply" },
        '502': errorResponse('The mail server refused it'),
        ...errors,
      },
    },
  },
  '/api/newsletters/{id}/send': {
    post: {
      summary: 'Send now, or schedule with `at` (+ `timezone`)',
      parameters: idParam,
      requestBody: json('SendRequest'),
      responses: {
        '202': { description: 'Sending or scheduled' },
        '422': errorResponse('The template does not compile'),
        ...conflict,
        ...errors,
      },
    },
  },
  '/api/newsletters/{id}/pause': action('Pause a send (messages already handed to the server finish)'),
  '/api/newsletters/{id}/resume': action('Resume a paused send'),
  '/api/newsletters/{id}/cancel': action('Cancel: what was not sent is cancelled'),
  '/api/newsletters/{id}/resend-unknown': action(
    'Send again, with the same Message-ID, the messages whose outcome is unknown',
  ),
  '/api/newsletters/{id}/recipients': {
    get: {
      summary: 'Per-recipient results: status, attempts, server reply',
      parameters: [...idParam, ...queryParams(recipientListQuery)],
      responses: { '200': { description: 'A page of recipients' }, ...errors },
    },
  },
  '/u/{token}': {
    get: {
      ...page('Unsubscribe confirmation page (never unsubscribes by itself)'),
      responses: { '200': { description: 'HTML page' }, '404': { description: 'Invalid link' } },
    },
    post: {
      ...page('Unsubscribe (RFC 8058 one-click: no cookie, no redirect)'),
      responses: { '200': { description: 'HTML page' }, '404': { description: 'Invalid link' } },
    },
  },
  '/p/{token}': {
    get: {
      ...page('Preferences page (announcements, digest, language)'),
      responses: { '200': { description: 'HTML form' }, '404': { description: 'Invalid link' } },
    },
    post: {
      ...page('Save preferences (form fields announcements, digest, language)'),
      responses: {
        '200': { description: 'Saved' },
        '400': { description: 'Invalid choice' },
        '404': { description: 'Invalid link' },
      },
    },
  },
  '/subscribe': {
    get: {
      ...page(
        'The public subscription form (email, language, newsletters; ?lang=, ?source= for an embedded form)',
      ),
      responses: { '200': { description: 'HTML form' }, '400': { description: 'Invalid query' } },
    },
    post: {
      ...page(
        'Ask to subscribe (form fields email, language, announcements, digest; website is the honeypot): a confirmation mail goes out; the answer is the same whether or not the address is known',
      ),
      responses: {
        '200': { description: 'Check your inbox' },
        '400': { description: 'The form again, each problem named' },
        '429': { description: 'Too many requests from this client address' },
      },
    },
  },
  '/subscribe/confirm/{token}': {
    get: {
      ...page('Confirmation page with a button (never confirms by itself)'),
      responses: {
        '200': { description: 'HTML page' },
        '404': { description: 'Invalid link' },
        '410': { description: 'Expired (7 days)' },
      },
    },
    post: {
      ...page('Confirm the subscription (double opt-in); a repeated confirmation changes nothing'),
      responses: {
        '200': { description: 'Subscribed' },
        '404': { description: 'Invalid link' },
        '410': { description: 'Expired (7 days)' },
      },
    },
  },
  '/w/{token}': {
    get: {
      ...page('The newsletter in the browser'),
      responses: { '200': { description: 'HTML' }, '404': { description: 'Invalid link' } },
    },
  },
};
