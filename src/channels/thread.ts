// Threads on platforms that reply post by post (Twitter/X, Mastodon): what every adapter does the same way.

/**
 * Deletes a thread's posts, last reply first so a thread never shows replies to a deleted post. Posts already
 * gone (`isGone`) are fine. `ids` empty: the single post `remoteId`.
 */
export async function deleteThread(
  ids: string[],
  remoteId: string,
  remove: (id: string) => Promise<unknown>,
  isGone: (error: unknown) => boolean,
): Promise<void> {
  for (const id of (ids.length > 0 ? [...ids] : [remoteId]).reverse()) {
    try {
      await remove(id);
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
}

/**
 * Extends `found` (ids of the thread's first parts) with the posts among `posts` that are the next parts, in
 * order, stopping at the first part not there. `isPart(post, index, previousId)`.
 */
export function findThreadParts<T extends { id: string }>(
  parts: readonly string[],
  found: string[],
  posts: readonly T[],
  isPart: (post: T, index: number, previousId: string | undefined) => boolean,
): { ids: string[]; first: T | undefined } {
  const ids = [...found];
  let first: T | undefined;
  for (let i = ids.length; i < parts.length; i++) {
    const match = posts.find((p) => isPart(p, i, ids[i - 1]));
    if (!match) break;
    if (i === 0) first = match;
    ids.push(match.id);
  }
  return { ids, first };
}
