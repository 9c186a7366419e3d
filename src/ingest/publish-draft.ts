import { publishNow, type FlowDeps } from '../app/publishing.js';
import { findItem } from '../store/items.js';

/**
 * Publishes an item that was created as a never-published draft by an import or a webhook call, and
 * nothing else: staff may have published, edited or withdrawn it meanwhile, and a retry must not
 * undo that. Two callers racing (two polls, a CMS retry) may both try; PostgreSQL then refuses the
 * second set of deliveries, and the item being published is all that matters.
 */
export async function publishImportedDraft(
  deps: FlowDeps,
  itemId: string,
  opts: { channels: string[] | null; announce: boolean; actor: string },
): Promise<void> {
  const item = await findItem(deps.store.db, itemId);
  if (!item || item.status !== 'draft' || item.publishedRevision !== null) return;
  try {
    await publishNow(deps, itemId, opts);
  } catch (error) {
    const now = await findItem(deps.store.db, itemId);
    if (now && now.status !== 'draft') return;
    throw error;
  }
}
