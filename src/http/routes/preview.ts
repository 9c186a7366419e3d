import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../app/context.js';
import { PLATFORM_IDS } from '../../domain/platform.js';
import { itemWithOverrides, previewItem } from '../../channels/preview.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { LIMITS, type NewsItem } from '../../domain/item.js';
import { isPublishedRevision } from '../../domain/publication.js';
import { listAccounts } from '../../store/accounts.js';
import { listDeliveriesForItem } from '../../store/deliveries.js';
import { getItem } from '../../store/items.js';
import type { PageReader } from '../../net/link-card.js';
import { withLinkCards } from '../link-cards.js';
import { ITEM_ID } from '../schemas.js';
import { needs } from '../route-access.js';

const channelKey = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a platform or account id');

/** Unsaved changes to try out; an empty text means "back to the template". */
export const previewBody = z
  .strictObject({
    channelTexts: z
      .record(
        channelKey,
        z
          .string({ error: 'must be a string' })
          .max(LIMITS.channelText, `must be at most ${LIMITS.channelText} characters`),
        {
          error: 'must map a platform or account id to a text',
        },
      )
      .optional(),
    thread: z.boolean({ error: 'must be true or false' }).optional(),
    channels: z
      .array(z.string({ error: 'must be account ids' }).max(64), { error: 'must be a list of account ids' })
      .max(50)
      .optional(),
  })
  .nullish();

type PreviewBody = NonNullable<z.output<typeof previewBody>>;

/** Unknown platforms or accounts in the body, by field. */
function unknownChannels(ctx: Context, body: PreviewBody): Record<string, string> {
  const accounts = ctx.channels.accounts().map((a) => a.id);
  const keys = new Set<string>([...PLATFORM_IDS, ...accounts]);
  const problems: Record<string, string> = {};
  for (const key of Object.keys(body.channelTexts ?? {})) {
    if (!keys.has(key))
      problems[`channelTexts.${key}`] =
        `is neither a platform (${PLATFORM_IDS.join(', ')}) nor an account (${accounts.join(', ') || 'none'})`;
  }
  (body.channels ?? []).forEach((id, i) => {
    if (!accounts.includes(id))
      problems[`channels.${i}`] =
        `unknown channel account "${id.slice(0, 64)}" (known: ${accounts.join(', ') || 'none'})`;
  });
  return problems;
}

function changesSomething(item: NewsItem, tried: NewsItem): boolean {
  return (
    tried.thread !== item.thread || JSON.stringify(tried.channelTexts) !== JSON.stringify(item.channelTexts)
  );
}

/**
 * `POST /api/items/:id/preview`: the post each account would make, with its length, limit, warnings and
 * the link card the platform would draw (as `POST /api/drafts/preview` answers for unsaved fields).
 */
export function previewRoutes(app: FastifyInstance, ctx: Context, pageReader: PageReader): void {
  app.post('/api/items/:id/preview', needs('items:read', 'submissions:read'), async (request) => {
    const id = (request.params as { id?: string }).id ?? '';
    if (!ITEM_ID.test(id)) throw new NotFoundError('item', id.slice(0, 80));
    const body = previewBody.parse(request.body) ?? {};
    const problems = unknownChannels(ctx, body);
    if (Object.keys(problems).length > 0) throw new ValidationError(problems);
    const [item, deliveries, stored] = await Promise.all([
      getItem(ctx.store.db, id),
      listDeliveriesForItem(ctx.store.db, id),
      listAccounts(ctx.store.db),
    ]);
    const tried = itemWithOverrides(item, body);
    const accountIds = body.channels ?? ctx.channels.accounts().map((a) => a.id);
    const upToDate = isPublishedRevision(item) && !changesSomething(item, tried);
    const states = new Map(stored.map((a) => [a.id, { state: a.state, stateReason: a.stateReason }]));
    return {
      itemId: item.id,
      revision: item.revision,
      status: item.status,
      posts: await withLinkCards(
        await previewItem(
          ctx.channels,
          tried,
          deliveries,
          states,
          accountIds,
          upToDate,
          ctx.config.twitter.prices,
        ),
        tried,
        pageReader,
      ),
    };
  });
}
