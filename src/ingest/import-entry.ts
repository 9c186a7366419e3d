import type { FeedSourceConfig } from '../config/feed.js';
import type { ItemFields } from '../domain/item.js';
import type { FlowDeps } from '../app/publishing.js';
import { publishImportedDraft } from './publish-draft.js';
import { submitForReview } from '../app/review.js';
import { recordAudit } from '../store/audit.js';
import {
  clearPendingPublish,
  entrySeen,
  insertSourceEntry,
  pendingPublishes,
} from '../store/feed-sources.js';
import { insertItem } from '../store/items.js';

export type ImportOutcome =
  { status: 'created'; itemId: string } | { status: 'seen' } | { status: 'failed'; reason: string };

/** Thrown inside the transaction to undo the item when another poll recorded the entry first. */
class AlreadyImported extends Error {}

const actorFor = (source: FeedSourceConfig) => `ingest:${source.id}`;

/**
 * One entry -> one item, exactly once: the item, its revision, the audit line and the entry record
 * are written in one transaction, and the entry record's primary key (source, key) refuses a second
 * one. A `publish` source's item is then published (its own transaction); should the process stop
 * in between, the entry stays marked `publishPending` and the next poll publishes it.
 */
export async function importEntry(
  deps: FlowDeps,
  source: FeedSourceConfig,
  mapping: { key: string; date: Date | null; fields: ItemFields & { slug: string } },
): Promise<ImportOutcome> {
  if (await entrySeen(deps.store.db, source.id, mapping.key)) return { status: 'seen' };
  let itemId: string | null = null;
  for (let attempt = 1; itemId === null; attempt++) {
    try {
      itemId = await createRecorded(deps, source, mapping);
    } catch (error) {
      if (error instanceof AlreadyImported) return { status: 'seen' };
      // A concurrent import of the same entry (PostgreSQL reports its slug first), or of another
      // entry with the same slug: the first is a "seen", the second deserves one more try.
      if (await entrySeen(deps.store.db, source.id, mapping.key)) return { status: 'seen' };
      if (attempt >= 2)
        return { status: 'failed', reason: `could not be stored: ${(error as Error).message}` };
    }
  }
  if (source.mode === 'review') {
    await submitImported(deps, source, itemId).catch((error: Error) =>
      deps.log.warn(
        { source: source.id, itemId, err: error.message },
        'imported item could not be submitted for review; it stays a draft',
      ),
    );
  }
  if (source.mode === 'publish') {
    await publishImported(deps, source, itemId).catch((error: Error) =>
      deps.log.warn(
        { source: source.id, itemId, err: error.message },
        'imported item not published yet; the next poll publishes it',
      ),
    );
  }
  return { status: 'created', itemId };
}

async function createRecorded(
  deps: FlowDeps,
  source: FeedSourceConfig,
  mapping: { key: string; date: Date | null; fields: ItemFields & { slug: string } },
): Promise<string> {
  return deps.store.transaction(async (trx) => {
    const item = await insertItem(trx, mapping.fields, actorFor(source));
    await recordAudit(trx, {
      actor: actorFor(source),
      action: 'created',
      subjectType: 'item',
      subjectId: item.id,
      details: { revision: 1, source: source.id, entry: mapping.key.slice(0, 500) },
    });
    const fresh = await insertSourceEntry(trx, {
      sourceId: source.id,
      key: mapping.key,
      itemId: item.id,
      entryDate: mapping.date?.toISOString() ?? null,
      publishPending: source.mode === 'publish',
    });
    if (!fresh) throw new AlreadyImported();
    return item.id;
  });
}

/** Publishes items of a `publish` source left unpublished by an interrupted poll. */
export async function finishPendingPublishes(deps: FlowDeps, source: FeedSourceConfig): Promise<void> {
  for (const itemId of await pendingPublishes(deps.store.db, source.id))
    await publishImported(deps, source, itemId);
}

/** A `review` source's new item waits for a person's approval, submitted in the source's name. */
async function submitImported(deps: FlowDeps, source: FeedSourceConfig, itemId: string): Promise<void> {
  await submitForReview(deps, itemId, { actor: actorFor(source) });
}

async function publishImported(deps: FlowDeps, source: FeedSourceConfig, itemId: string): Promise<void> {
  await publishImportedDraft(deps, itemId, { channels: null, announce: false, actor: actorFor(source) });
  await clearPendingPublish(deps.store.db, source.id, itemId);
}
