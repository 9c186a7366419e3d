import { NotFoundError } from '../domain/errors.js';

/** What `lookup` found, or a NotFoundError naming the `what` and its id. */
export async function foundOrThrow<T>(lookup: Promise<T | null>, what: string, id: string): Promise<T> {
  const found = await lookup;
  if (!found) throw new NotFoundError(what, id);
  return found;
}
