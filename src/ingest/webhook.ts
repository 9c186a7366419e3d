import { z } from 'zod';
import { ValidationError } from '../domain/errors.js';
import { fieldErrorsFromZod } from '../domain/zod-errors.js';
import { validateItemFields, type ItemRules, type NewsItem } from '../domain/item.js';
import type { ChannelRegistry } from '../channels/registry.js';
import type { FlowDeps } from '../app/publishing.js';
import { publishImportedDraft } from './publish-draft.js';
import { submitForReview } from '../app/review.js';
import { findReview } from '../store/reviews.js';
import { recordAudit } from '../store/audit.js';
import { getItem, insertItem } from '../store/items.js';
import { findWebhookItem, insertWebhookItem } from '../store/webhook-items.js';

const ACTOR = 'webhook';

/** What the CMS sends besides the item fields (which are those of `POST /api/items`). */
export const hookOptionsSchema = z.strictObject({
  externalId: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .optional(),
  channels: z
    .array(z.string({ error: 'must be account ids' }).max(64), { error: 'must be a list of account ids' })
    .max(50)
    .optional(),
  announce: z.boolean({ error: 'must be true or false' }).optional(),
});

export interface HookOutcome {
  item: NewsItem;
  /** False when this externalId had already created the item (a retried call). */
  created: boolean;
}

/** Thrown inside the transaction when a concurrent call with the same externalId won. */
class AlreadyRecorded extends Error {}

/**
 * Creates and publishes an item from a signed CMS call. With an `externalId` the call is idempotent:
 * the item and the id's record are written in one transaction, so a retry (even after a crash
 * between creating and publishing) finds the item and only finishes its publication.
 */
export async function createAndPublishFromHook(
  deps: FlowDeps & {
    channels: ChannelRegistry;
    config: { allowPrivateUrls: boolean; feed: { webhookMode: 'publish' | 'review' } };
  },
  payload: unknown,
): Promise<HookOutcome> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
    throw new ValidationError({ '(body)': 'must be a JSON object' });
  const { externalId, channels, announce, ...itemInput } = payload as Record<string, unknown>;
  const options = hookOptionsSchema.safeParse({ externalId, channels, announce });
  const problems = options.success ? {} : fieldErrorsFromZod(options.error);
  if (!problems.channels && Array.isArray(channels))
    Object.assign(problems, unknownChannels(deps.channels, channels as string[]));
  const fields = tryValidate(itemInput, problems, { allowPrivateUrls: deps.config.allowPrivateUrls });
  if (!options.success || !fields || Object.keys(problems).length > 0) throw new ValidationError(problems);
  const id = options.data.externalId;
  const existing = id ? await findWebhookItem(deps.store.db, id) : null;
  const { itemId, created } = existing
    ? { itemId: existing, created: false }
    : await createOnce(deps, fields, id);
  if (deps.config.feed.webhookMode === 'review') {
    // Submitted once: a retried call finds it in review (or decided) and leaves it.
    if ((await findReview(deps.store.db, itemId)).submittedAt === null)
      await submitForReview(deps, itemId, { actor: ACTOR });
    return { item: await getItem(deps.store.db, itemId), created };
  }
  await publishImportedDraft(deps, itemId, {
    channels: options.data.channels ?? null,
    announce: options.data.announce ?? false,
    actor: ACTOR,
  });
  return { item: await getItem(deps.store.db, itemId), created };
}

function tryValidate(input: unknown, problems: Record<string, string>, rules: ItemRules) {
  try {
    return validateItemFields(input, rules);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    Object.assign(problems, error.fields);
    return null;
  }
}

function unknownChannels(registry: ChannelRegistry, channels: string[] | undefined): Record<string, string> {
  if (!channels) return {};
  const known = new Set(registry.accounts().map((a) => a.id));
  const unknown = channels.filter((c) => !known.has(c));
  return unknown.length > 0
    ? {
        channels: `unknown channel account(s): ${unknown.join(', ')} (known: ${[...known].join(', ') || 'none'})`,
      }
    : {};
}

/**
 * Creates the item, unless a concurrent call with the same externalId wins the race (then its item
 * is the answer). A clash on the slug with an unrelated item created meanwhile gets one more try.
 */
async function createOnce(
  deps: FlowDeps,
  fields: ReturnType<typeof validateItemFields>,
  externalId: string | undefined,
): Promise<{ itemId: string; created: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { itemId: await createRecorded(deps, fields, externalId), created: true };
    } catch (error) {
      const winner = externalId ? await findWebhookItem(deps.store.db, externalId) : null;
      if (winner) return { itemId: winner, created: false };
      if (error instanceof AlreadyRecorded || attempt >= 2) throw error;
    }
  }
}

async function createRecorded(
  deps: FlowDeps,
  fields: ReturnType<typeof validateItemFields>,
  externalId: string | undefined,
): Promise<string> {
  return deps.store.transaction(async (trx) => {
    const item = await insertItem(trx, fields, ACTOR);
    await recordAudit(trx, {
      actor: ACTOR,
      action: 'created',
      subjectType: 'item',
      subjectId: item.id,
      details: { revision: 1, ...(externalId ? { externalId } : {}) },
    });
    if (externalId && !(await insertWebhookItem(trx, externalId, item.id))) throw new AlreadyRecorded();
    return item.id;
  });
}
