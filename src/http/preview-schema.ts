import { PLATFORM_IDS } from '../domain/platform.js';

/** OpenAPI description of `POST /api/items/{id}/preview`'s answer (see src/channels/preview.ts). */
export const previewResponseSchema = {
  type: 'object',
  required: ['itemId', 'revision', 'status', 'posts'],
  properties: {
    itemId: { type: 'string' },
    revision: { type: 'integer' },
    status: { type: 'string', enum: ['draft', 'scheduled', 'published', 'withdrawn'] },
    posts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['accountId', 'platform', 'text', 'parts', 'length', 'limit', 'warnings', 'onPublish'],
        properties: {
          accountId: { type: 'string' },
          accountName: { type: 'string' },
          platform: { type: 'string', enum: PLATFORM_IDS },
          mode: { type: 'string', enum: ['live', 'dry-run'] },
          state: { type: 'string', enum: ['ok', 'needs_reconnect', 'needs_credits'] },
          text: { type: 'string', description: 'The whole text of the (first) post' },
          parts: {
            type: 'array',
            items: { type: 'string' },
            description: 'Thread parts in order; one when not a thread',
          },
          link: { type: ['string', 'null'] },
          image: {
            type: ['object', 'null'],
            properties: { url: { type: 'string' }, alt: { type: 'string' } },
          },
          length: {
            type: 'integer',
            description: 'As the platform counts it (Twitter: weighted, URLs 23), of the longest part',
          },
          limit: { type: ['integer', 'null'] },
          warnings: { type: 'array', items: { type: 'string' } },
          linkMissing: {
            type: 'boolean',
            description: "Present and true when a hand-written text leaves out the item's link",
          },
          linkCard: {
            type: ['object', 'null'],
            description:
              "The card the platform draws for the link, as read from the page's og: tags (null: none is shown)",
            properties: {
              url: { type: 'string' },
              title: { type: ['string', 'null'] },
              description: { type: ['string', 'null'] },
              image: { type: ['string', 'null'] },
              siteName: { type: ['string', 'null'] },
              fromItem: {
                type: 'boolean',
                description: "The page has no tags: the item's own title, summary and picture stand in",
              },
            },
          },
          linkCardProblem: {
            type: ['string', 'null'],
            description: 'Why the page could not be read for its link card, in plain words',
          },
          cost: {
            type: 'object',
            description:
              'X accounts only: what posting costs at the configured prices (twitter.prices), every thread part counted',
            properties: {
              usd: { type: 'number' },
              shown: { type: 'string', description: 'e.g. "$0.215"' },
              postsWithUrl: { type: 'integer' },
              posts: { type: 'integer', description: 'Parts without a URL' },
              parts: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { withUrl: { type: 'boolean' }, usd: { type: 'number' } },
                },
              },
            },
          },
          onPublish: {
            type: 'object',
            required: ['action', 'message'],
            properties: {
              action: { type: 'string', enum: ['create', 'update', 'none'] },
              message: { type: 'string', description: 'e.g. "Twitter/X cannot edit a posted tweet: ..."' },
            },
          },
        },
      },
    },
  },
} as const;
