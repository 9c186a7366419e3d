import { ConflictError, ValidationError } from '../domain/errors.js';
import {
  applyItemPatch,
  canDo,
  editableFields,
  sameFields,
  validateItemFields,
  type ItemRules,
  type NewsItem,
} from '../domain/item.js';
import type { Store } from '../store/db.js';
import { getItem, insertItem, updateItemFields } from '../store/items.js';
import { recordAudit } from '../store/audit.js';
import { findMedia } from '../store/media.js';
import { recordAuthor, returnToDraftOnEdit } from './review.js';

async function assertUploadExists(db: Store['db'], imageId: string | null | undefined): Promise<void> {
  if (imageId && !(await findMedia(db, imageId)))
    throw new ValidationError({ imageId: `no upload ${imageId} (it may have been deleted)` });
}

/** Validates and stores a new draft item. `rules` carries the installation's settings (default: private addresses refused). */
export async function createItem(
  store: Store,
  input: unknown,
  actor: string,
  rules: ItemRules = {},
): Promise<NewsItem> {
  const fields = validateItemFields(input, rules);
  return store.transaction(async (trx) => {
    await assertUploadExists(trx, fields.imageId);
    const item = await insertItem(trx, fields, actor);
    await recordAuthor(trx, item.id, actor);
    await recordAudit(trx, {
      actor,
      action: 'created',
      subjectType: 'item',
      subjectId: item.id,
      details: { revision: 1 },
    });
    return item;
  });
}

/** Applies a partial edit as a new revision; an edit that changes nothing creates no revision. */
export async function editItem(
  store: Store,
  id: string,
  patch: unknown,
  actor: string,
  rules: ItemRules = {},
): Promise<{ item: NewsItem; changed: boolean }> {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch))
    throw new ValidationError({ '(body)': 'must be a JSON object' });
  return store.transaction(async (trx) => {
    const item = await getItem(trx, id);
    const next = applyItemPatch(editableFields(item), patch, rules);
    if (sameFields(next, editableFields(item))) return { item, changed: false };
    if (next.imageId !== item.imageId) await assertUploadExists(trx, next.imageId);
    const updated = await updateItemFields(trx, item, next, actor);
    await recordAudit(trx, {
      actor,
      action: 'edited',
      subjectType: 'item',
      subjectId: id,
      details: { revision: updated.revision, fields: Object.keys(patch) },
    });
    await returnToDraftOnEdit(trx, id, actor, updated.revision);
    return { item: updated, changed: true };
  });
}

/**
 * Deletes a draft or withdrawn item with its revisions and delivery records. A published or scheduled
 * item is withdrawn or cancelled first (which takes it off the feeds); an item imported from a website
 * feed is only withdrawn, since deleting it would forget it was imported and bring it back at the next poll.
 */
export async function deleteItem(store: Store, id: string, actor: string): Promise<void> {
  await store.transaction(async (trx) => {
    const item = await getItem(trx, id);
    if (!canDo('delete', item.status)) {
      throw new ConflictError(
        `a ${item.status} item cannot be deleted; ${item.status === 'published' ? 'withdraw' : 'cancel'} it first`,
        'not_deletable',
      );
    }
    const running = await trx
      .selectFrom('deliveries')
      .select('id')
      .where('itemId', '=', id)
      .where('status', 'in', ['pending', 'running'])
      .executeTakeFirst();
    if (running)
      throw new ConflictError(
        'some of its deliveries are still under way (e.g. deleting posts); try again when they finish',
        'deliveries_running',
      );
    const imported = await trx
      .selectFrom('feedSourceEntries')
      .select('sourceId')
      .where('itemId', '=', id)
      .executeTakeFirst();
    if (imported)
      throw new ConflictError(
        `this item was imported from the feed source "${imported.sourceId}"; withdraw it instead (deleting it would import it again)`,
        'imported',
      );
    await trx.deleteFrom('items').where('id', '=', id).execute();
    await recordAudit(trx, {
      actor,
      action: 'deleted',
      subjectType: 'item',
      subjectId: id,
      details: { title: item.title, slug: item.slug },
    });
  });
}
