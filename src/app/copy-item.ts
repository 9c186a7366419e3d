import { editableFields, validateItemFields, type ItemRules, type NewsItem } from '../domain/item.js';
import { recordAudit } from '../store/audit.js';
import type { Store } from '../store/db.js';
import { getItem, insertItem, updateItemState } from '../store/items.js';
import { recordAuthor } from './review.js';
import { planColumns } from './publish-plan.js';

/**
 * "Copy as new draft": a new draft with the item's content, translations, per-channel texts, image and
 * publication plan (channels, newsletter announcement), never scheduled. The title is kept as it is (a
 * prefix such as "Copy of" would go out if forgotten); the address name gets a free suffix. Both items'
 * timelines say where the copy came from.
 */
export async function copyItem(
  store: Store,
  sourceId: string,
  actor: string,
  rules: ItemRules = {},
): Promise<NewsItem> {
  return store.transaction(async (trx) => {
    const source = await getItem(trx, sourceId);
    const { slug, ...content } = editableFields(source);
    // Re-validated under today's rules: a copy must pass the checks a new item passes.
    const fields = validateItemFields({ ...content, slug }, rules);
    const copy = await insertItem(trx, fields, actor);
    await recordAuthor(trx, copy.id, actor);
    await updateItemState(
      trx,
      copy.id,
      planColumns({ channels: source.publishChannels, announce: source.announce }),
    );
    await recordAudit(trx, {
      actor,
      action: 'created',
      subjectType: 'item',
      subjectId: copy.id,
      details: { revision: 1, copyOf: source.id },
    });
    await recordAudit(trx, {
      actor,
      action: 'copied',
      subjectType: 'item',
      subjectId: source.id,
      details: { copy: copy.id },
    });
    return getItem(trx, copy.id);
  });
}
