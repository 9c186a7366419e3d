import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { nowIso } from './db.js';

type Db = Kysely<Database>;

/** The answer the first request with a key got, kept to give to its repeats. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RequestKey {
  /** Whose key it is: "api:<caller>", "webhook", "form:<user>". Keys never match across scopes. */
  scope: string;
  key: string;
  /** What the request said (method, path, body), hashed: the same key with another request is refused. */
  fingerprint: string;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'in_progress' }
  | { kind: 'other_request' }
  | { kind: 'done'; response: StoredResponse };

/** How long a claimed key may stay without an answer: a process that died mid-request frees it then. */
export const IN_PROGRESS_MS = 2 * 60_000;

const later = (ms: number) => new Date(Date.now() + ms).toISOString();

/**
 * Claims `key` for this request in one statement, or says what the earlier request with it became.
 * An expired key (past its 24 h, or abandoned in progress) is removed and claimed again.
 */
export async function claimRequestKey(db: Db, key: RequestKey): Promise<Claim> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await db
      .insertInto('requestKeys')
      .values({ ...key, status: null, response: null, createdAt: nowIso(), expiresAt: later(IN_PROGRESS_MS) })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { kind: 'claimed' };
    const row = await db
      .selectFrom('requestKeys')
      .selectAll()
      .where('scope', '=', key.scope)
      .where('key', '=', key.key)
      .executeTakeFirst();
    if (!row) continue; // removed meanwhile: claim again
    if (row.expiresAt <= nowIso()) {
      await db
        .deleteFrom('requestKeys')
        .where('scope', '=', key.scope)
        .where('key', '=', key.key)
        .where('expiresAt', '<=', nowIso())
        .execute();
      continue;
    }
    if (row.fingerprint !== key.fingerprint) return { kind: 'other_request' };
    if (row.status === null || row.response === null) return { kind: 'in_progress' };
    return { kind: 'done', response: JSON.parse(row.response) as StoredResponse };
  }
  return { kind: 'in_progress' };
}

/** Keeps the first request's answer for `keepMs` (24 h for API keys and webhook ids). */
export async function completeRequestKey(
  db: Db,
  key: Omit<RequestKey, 'fingerprint'>,
  response: StoredResponse,
  keepMs: number,
): Promise<void> {
  await db
    .updateTable('requestKeys')
    .set({ status: response.status, response: JSON.stringify(response), expiresAt: later(keepMs) })
    .where('scope', '=', key.scope)
    .where('key', '=', key.key)
    .where('status', 'is', null)
    .execute();
}

/** The first request failed on our side (5xx) or gave nothing to keep: a repeat may try again. */
export async function releaseRequestKey(db: Db, key: Omit<RequestKey, 'fingerprint'>): Promise<void> {
  await db
    .deleteFrom('requestKeys')
    .where('scope', '=', key.scope)
    .where('key', '=', key.key)
    .where('status', 'is', null)
    .execute();
}

/** Removes keys past their time (run by the reconciler); returns how many. */
export async function purgeExpiredRequestKeys(db: Db, now = nowIso()): Promise<number> {
  const result = await db.deleteFrom('requestKeys').where('expiresAt', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
