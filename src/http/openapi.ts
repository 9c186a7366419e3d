import { withIdempotencyKeys } from './idempotency-key.js';
import { ITEM_STATUSES, itemFieldsSchema, itemPatchSchema } from '../domain/item.js';
import { approveBody, decisionBody, publishBody, submitBody, withdrawBody } from './schemas.js';
import { feedPaths, feedSchemas } from './openapi-feeds.js';
import { newsletterPaths, newsletterSchemas } from './openapi-newsletters.js';
import { mediaPaths, mediaSchemas } from './openapi-media.js';
import { previewBody } from './routes/preview.js';
import { previewResponseSchema } from './preview-schema.js';
import { errors, idParam, json, jsonSchema } from './openapi-parts.js';

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'field -> problem' },
      },
    },
  },
};

/** The OpenAPI 3.1 description of the API, generated from the same zod schemas that validate requests. */
export function openApiDocument(publicUrl: string) {
  return {
    openapi: '3.1.0',
    info: { title: 'Herald API', version: '1', description: 'News items, their publication and deliveries.' },
    servers: [{ url: publicUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: errorSchema,
        ItemInput: jsonSchema(itemFieldsSchema),
        ItemPatch: jsonSchema(itemPatchSchema),
        PublishRequest: jsonSchema(publishBody),
        WithdrawRequest: jsonSchema(withdrawBody),
        SubmitRequest: jsonSchema(submitBody),
        ApproveRequest: jsonSchema(approveBody),
        DecisionRequest: jsonSchema(decisionBody),
        ...feedSchemas,
        ...newsletterSchemas,
        ...mediaSchemas,
        PreviewRequest: jsonSchema(previewBody),
        Preview: previewResponseSchema,
      },
    },
    paths: withIdempotencyKeys({
      '/api/items': {
        post: {
          summary: 'Create a draft item',
          requestBody: { required: true, ...json('ItemInput') },
          responses: { '201': { description: 'Created' }, ...errors },
        },
        get: {
          summary: 'List items',
          parameters: [
            {
              name: 'status',
              in: 'query',
              schema: { type: 'string', enum: ITEM_STATUSES },
            },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
          ],
          responses: { '200': { description: 'A page of items' }, ...errors },
        },
      },
      '/api/items/{id}': {
        get: {
          summary: 'An item with its deliveries and history',
          parameters: idParam,
          responses: { '200': { description: 'The item' }, ...errors },
        },
        patch: {
          summary: 'Edit an item (new revision)',
          parameters: idParam,
          requestBody: json('ItemPatch'),
          responses: { '200': { description: 'The item' }, ...errors },
        },
        delete: {
          summary: 'Delete a draft or withdrawn item',
          parameters: idParam,
          responses: {
            '204': { description: 'Deleted' },
            '409': { description: 'Published, scheduled, imported, or deliveries under way' },
            ...errors,
          },
        },
      },
      '/api/items/{id}/publish': {
        post: {
          summary:
            "Publish now, or schedule with `at` (+ `timezone`). A wall-clock `at` the zone skips, or repeats when the clocks go back, is refused with a field error on `at` (a repeated one names both instants: send it with its offset to choose). The answer's `warnings` list items published in the last 30 days with the same title or link (a warning: nothing is refused)",
          parameters: idParam,
          requestBody: json('PublishRequest'),
          responses: {
            '202': { description: 'Publication under way or scheduled' },
            '200': { description: 'Nothing to do: this revision is already published' },
            '409': {
              description:
                'Already published, or `review_required`: the four-eyes rule is on and the item is not approved',
            },
            ...errors,
          },
        },
      },
      '/api/items/{id}/submit': {
        post: {
          summary:
            'Submit for review (from draft, or after changes were asked for), with an optional proposed publication time (`at` + `timezone`) and a comment for the reviewer. Contributors: their own items only',
          parameters: idParam,
          requestBody: json('SubmitRequest'),
          responses: {
            '200': { description: 'In review: the review and its history' },
            '409': { description: 'Already in review or approved, published or scheduled, or rejected' },
            ...errors,
          },
        },
      },
      '/api/items/{id}/approve': {
        post: {
          summary:
            "Approve an item in review (never its author's or submitter's own: 403 `own_item`), then publish now or schedule: at `at`, else at the submitter's proposed time while it is ahead, else now",
          parameters: idParam,
          requestBody: json('ApproveRequest'),
          responses: {
            '202': { description: 'Approved; publication under way or scheduled' },
            '409': { description: 'Not in review' },
            ...errors,
          },
        },
      },
      '/api/items/{id}/request-changes': {
        post: {
          summary: 'Ask the author for changes (the comment says which); the author edits and submits again',
          parameters: idParam,
          requestBody: { required: true, ...json('DecisionRequest') },
          responses: { '200': { description: 'Waiting for changes' }, '409': errors['404'], ...errors },
        },
      },
      '/api/items/{id}/reject': {
        post: {
          summary: 'Reject an item in review (the comment says why); it cannot be submitted again',
          parameters: idParam,
          requestBody: { required: true, ...json('DecisionRequest') },
          responses: { '200': { description: 'Rejected' }, '409': errors['404'], ...errors },
        },
      },
      '/api/review': {
        get: {
          summary: 'The review queue: items waiting for a decision, oldest submission first, with their age',
          responses: { '200': { description: 'The queue' }, ...errors },
        },
      },
      '/api/items/{id}/preview': {
        post: {
          summary:
            'The post each channel account would make (text, thread parts, counted length, limit, warnings), optionally with unsaved per-channel texts; for a published item, whether an edit reaches each platform',
          parameters: idParam,
          requestBody: json('PreviewRequest'),
          responses: {
            '200': { description: 'One composed post per account', ...json('Preview') },
            ...errors,
          },
        },
      },
      '/api/items/{id}/cancel': {
        post: {
          summary: 'Cancel a scheduled publication',
          parameters: idParam,
          responses: { '200': { description: 'Cancelled' }, '409': errors['404'], ...errors },
        },
      },
      '/api/items/{id}/withdraw': {
        post: {
          summary: 'Withdraw a published item',
          parameters: idParam,
          requestBody: json('WithdrawRequest'),
          responses: { '202': { description: 'Withdrawn' }, ...errors },
        },
      },
      '/api/deliveries/{id}/retry': {
        post: {
          summary: 'Retry a failed delivery',
          parameters: idParam,
          responses: { '202': { description: 'Queued again' }, '409': errors['404'], ...errors },
        },
      },
      '/api/deliveries/{id}/release': {
        post: {
          summary: 'Let one post held by the monthly X budget go out anyway',
          parameters: idParam,
          responses: { '202': { description: 'Queued again' }, '409': errors['404'], ...errors },
        },
      },
      '/api/channels/{id}/try-again': {
        post: {
          summary: 'Try again for an account on hold (e.g. X credits ran out): its held posts are sent',
          parameters: idParam,
          responses: {
            '202': { description: 'Released: {account, released}' },
            '409': errors['404'],
            ...errors,
          },
        },
      },
      '/api/channels': {
        get: {
          summary: 'Channel accounts and their state',
          responses: { '200': { description: 'Accounts' }, ...errors },
        },
      },
      '/api/dry-run-posts': {
        get: {
          summary: 'What dry-run accounts would have posted',
          responses: { '200': { description: 'Posts' }, ...errors },
        },
      },
      '/api/outbox': {
        get: {
          summary: 'Old name of /api/dry-run-posts, kept for one release',
          deprecated: true,
          responses: { '200': { description: 'Posts' }, ...errors },
        },
      },
      ...newsletterPaths,
      ...feedPaths,
      ...mediaPaths,
      '/healthz': {
        get: {
          summary: 'Redis and database reachable',
          security: [],
          responses: { '200': { description: 'Healthy' }, '503': { description: 'Degraded' } },
        },
      },
    }),
  };
}
