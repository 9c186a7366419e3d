import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../app/context.js';
import { previewItem } from '../../channels/preview.js';
import { ValidationError, type FieldErrors } from '../../domain/errors.js';
import {
  editableFields,
  itemFieldsSchema,
  sameFields,
  validateItemFields,
  type ItemRules,
  type NewsItem,
} from '../../domain/item.js';
import { renderMarkdown } from '../../domain/markdown.js';
import { isPublishedRevision } from '../../domain/publication.js';
import { slugify } from '../../domain/slug.js';
import { listAccounts } from '../../store/accounts.js';
import { listDeliveriesForItem } from '../../store/deliveries.js';
import { findItem } from '../../store/items.js';
import { withItemUpload } from '../../store/media.js';
import { ITEM_ID } from '../schemas.js';
import { needs } from '../route-access.js';
import type { PageReader } from '../../net/link-card.js';
import { withLinkCards } from '../link-cards.js';

const draftBody = z.strictObject({
  /** The stored item being edited, if any: the preview then says what publishing the edit would do. */
  itemId: z.string().regex(ITEM_ID, 'must be an item id').optional(),
  fields: z.record(z.string(), z.unknown(), { error: 'must be an object of item fields' }),
  channels: z.array(z.string().max(64)).max(50).optional(),
});

type Shape = typeof itemFieldsSchema.shape;

/** Each field that is valid on its own; the others fall back to neutral values so a preview can still be shown. */
function lenientFields(raw: Record<string, unknown>) {
  const pick = <K extends keyof Shape>(key: K, fallback: z.output<Shape[K]>): z.output<Shape[K]> => {
    const parsed = itemFieldsSchema.shape[key].safeParse(raw[key]);
    return parsed.success ? (parsed.data as z.output<Shape[K]>) : fallback;
  };
  const url = pick('url', 'https://example.invalid/');
  return {
    title: pick('title', ''),
    summary: pick('summary', ''),
    body: pick('body', ''),
    url,
    imageUrl: pick('imageUrl', null) ?? null,
    imageAlt: pick('imageAlt', null) ?? null,
    imageId: pick('imageId', null) ?? null,
    tags: pick('tags', []),
    language: pick('language', 'en'),
    translations: pick('translations', {}),
    channelTexts: pick('channelTexts', {}),
    thread: pick('thread', false),
  };
}

function problemsOf(raw: Record<string, unknown>, rules: ItemRules): FieldErrors {
  try {
    validateItemFields(raw, rules);
    return {};
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
}

function draftItem(fields: ReturnType<typeof lenientFields>, stored: NewsItem | null): NewsItem {
  const now = new Date().toISOString();
  const base: NewsItem = stored ?? {
    id: 'itm_draft',
    slug: slugify(fields.title || 'draft'),
    bodyHtml: '',
    status: 'draft',
    revision: 0,
    publishedRevision: null,
    publishAt: null,
    publishTimezone: null,
    publishChannels: null,
    announce: false,
    scheduleToken: null,
    publishedAt: null,
    withdrawnAt: null,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
  return { ...base, ...fields, bodyHtml: renderMarkdown(fields.body, fields.url) };
}

/**
 * `POST /api/drafts/preview`: what the editor's unsaved fields would look like (Markdown as HTML, the post
 * for each account with its counted length and warnings) and every field problem, without saving anything.
 * Answers 200 even when fields are invalid: the editor shows the problems next to the fields as people type.
 */
export function draftRoutes(app: FastifyInstance, ctx: Context, pageReader: PageReader): void {
  app.post('/api/drafts/preview', needs('items:read'), async (request) => {
    const body = draftBody.parse(request.body);
    const fields = lenientFields(body.fields);
    const [stored, accounts] = await Promise.all([
      body.itemId ? findItem(ctx.store.db, body.itemId) : null,
      listAccounts(ctx.store.db),
    ]);
    const deliveries = stored ? await listDeliveriesForItem(ctx.store.db, stored.id) : [];
    // The uploaded picture as the page shows it (a relative address), for the preview cards.
    const item = await withItemUpload(ctx.store.db, draftItem(fields, stored), 'card', '');
    const known = ctx.channels.accounts().map((a) => a.id);
    const accountIds = (body.channels ?? known).filter((id) => known.includes(id));
    const rules = { allowPrivateUrls: ctx.config.allowPrivateUrls };
    const problems = problemsOf(body.fields, rules);
    const unchanged =
      stored !== null &&
      Object.keys(problems).length === 0 &&
      sameFields(validateItemFields(body.fields, rules), editableFields(stored));
    const states = new Map(accounts.map((a) => [a.id, { state: a.state, stateReason: a.stateReason }]));
    return {
      valid: Object.keys(problems).length === 0,
      fields: problems,
      bodyHtml: item.bodyHtml,
      posts: await withLinkCards(
        await previewItem(
          ctx.channels,
          item,
          deliveries,
          states,
          accountIds,
          stored !== null && isPublishedRevision(stored) && unchanged,
          ctx.config.twitter.prices,
        ),
        item,
        pageReader,
        !('url' in problems),
      ),
    };
  });
}
