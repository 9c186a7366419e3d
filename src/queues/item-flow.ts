import { ValidationError } from '../domain/errors.js';
import { applyItemPatch, editableFields, sameFields, validateItemFields, type NewsItem } from '../domain/item.js';
import type { Store } from '../store/db.js';
import { getItem, insertItem, updateItemFields } from '../store/items.js';
import { recordAudit } from '../store/audit.js';

/** Validates and stores a new draft item. */
export async function createItem(store: Store, input: unknown, actor: string): Promise<NewsItem> {
  const fields = validateItemFields(input);
  return store.transaction(async (trx) => {
    const item = await insertItem(trx, fields, actor);
    await recordAudit(trx, { actor, action: 'created', subjectType: 'item', subjectId: item.id, details: { revision: 1 } });
    return item;
  });
}

/** Applies a partial edit as a new revision; an edit that changes nothing creates no revision. */
export async function editItem(store: Store, id: string, patch: unknown, actor: string): Promise<{ item: NewsItem; changed: boolean }> {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw new ValidationError({ '(body)': 'must be a JSON object' });
  return store.transaction(async (trx) => {
    const item = await getItem(trx, id);
    const next = applyItemPatch(editableFields(item), patch);
    if (sameFields(next, editableFields(item))) return { item, changed: false };
    const updated = await updateItemFields(trx, item, next, actor);
    await recordAudit(trx, { actor, action: 'edited', subjectType: 'item', subjectId: id, details: { revision: updated.revision, fields: Object.keys(patch) } });
    return { item: updated, changed: true };
  });
}
