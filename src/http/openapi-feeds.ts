import { itemFieldsSchema } from '../domain/item.js';
import { hookOptionsSchema } from '../ingest/webhook.js';
import {
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '../ingest/webhook-signature.js';
import { errorResponse, json, jsonSchema } from './openapi-parts.js';

/** The feeds' part of the OpenAPI document: public feed URLs, the signed CMS webhook, sources. */
export const feedSchemas = {
  PublishHook: jsonSchema(itemFieldsSchema.extend(hookOptionsSchema.shape)),
};

const feedFile = (summary: string, type: string) => ({
  summary,
  security: [],
  parameters: [
    { name: 'If-None-Match', in: 'header', schema: { type: 'string' } },
    { name: 'If-Modified-Since', in: 'header', schema: { type: 'string' } },
  ],
  responses: {
    '200': { description: 'The feed (with ETag, Last-Modified, Cache-Control)', content: { [type]: {} } },
    '304': { description: 'Not modified since the ETag or date given' },
    '404': errorResponse('No such feed'),
  },
});

const variantParams = (name: string) => [
  { name, in: 'path', required: true, schema: { type: 'string' } },
  {
    name: 'file',
    in: 'path',
    required: true,
    schema: { type: 'string', enum: ['rss.xml', 'atom.xml', 'feed.json'] },
  },
];

export const feedPaths = {
  '/rss.xml': {
    get: feedFile('RSS 2.0 feed of the published items (also at /feed.xml)', 'application/rss+xml'),
  },
  '/feed.xml': { get: feedFile('Same as /rss.xml', 'application/rss+xml') },
  '/atom.xml': { get: feedFile('Atom 1.0 feed', 'application/atom+xml') },
  '/feed.json': { get: feedFile('JSON Feed 1.1', 'application/feed+json') },
  '/feeds/lang/{language}/{file}': {
    get: {
      ...feedFile('Items in one language ("fr" covers fr-BE)', 'application/rss+xml'),
      parameters: variantParams('language'),
    },
  },
  '/feeds/tag/{tag}/{file}': {
    get: { ...feedFile('Items with one tag', 'application/rss+xml'), parameters: variantParams('tag') },
  },
  '/api/hooks/publish': {
    post: {
      summary:
        'CMS webhook: create and publish an item in one call. Not behind the API token: signed after Standard Webhooks (HMAC-SHA256 over "id.timestamp.body" with the whsec_ secret; timestamps within 5 minutes). Each webhook-id acts once (a replay gets the first answer); idempotent on externalId too.',
      security: [],
      parameters: [
        { name: WEBHOOK_ID_HEADER, in: 'header', required: true, schema: { type: 'string', maxLength: 255 } },
        {
          name: WEBHOOK_TIMESTAMP_HEADER,
          in: 'header',
          required: true,
          schema: { type: 'string', pattern: '^[0-9]+$' },
        },
        {
          name: WEBHOOK_SIGNATURE_HEADER,
          in: 'header',
          required: true,
          schema: { type: 'string', pattern: '^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$' },
        },
      ],
      requestBody: { required: true, ...json('PublishHook') },
      responses: {
        '201': { description: 'Created and published' },
        '200': {
          description:
            'This externalId or webhook-id was seen before: the same item, nothing done (a replayed webhook-id also gets webhook-replayed: true)',
        },
        '400': errorResponse('Invalid input (names each bad field)'),
        '401': errorResponse('Missing or wrong signature, or a timestamp more than 5 minutes away'),
        '409': errorResponse('A message with this webhook-id is still being handled'),
        '422': errorResponse('This webhook-id came with another body'),
        '404': errorResponse('The webhook is off (no secret configured)'),
      },
    },
  },
  '/api/sources': {
    get: {
      summary: 'Website feeds Herald imports: last poll, last error and its reason, items created',
      responses: { '200': { description: 'Sources' }, '401': errorResponse('Missing or wrong API token') },
    },
  },
  '/api/feeds': {
    get: {
      summary: 'The feed URLs (main, per language, per tag) and the last rebuilds',
      responses: { '200': { description: 'Feeds' }, '401': errorResponse('Missing or wrong API token') },
    },
  },
};
