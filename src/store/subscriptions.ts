// Requests from the public subscription form waiting for their confirmation, and the consents given.
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Subscriptions } from '../domain/member.js';
import type { ContactConsentsTable, Database, SubscriptionRequestsTable } from './schema.js';
import { parseJson, toJson } from './json.js';

type Db = Kysely<Database>;

export interface SubscriptionRequest {
  id: string;
  email: string;
  language: string;
  subscriptions: Subscriptions;
  wordingVersion: string;
  source: string;
  requestedAt: string;
  expiresAt: string;
  confirmedAt: string | null;
  contactId: string | null;
}

const chosen = (s: Subscriptions) => (Object.keys(s) as Array<keyof Subscriptions>).filter((k) => s[k]);
const fromChosen = (text: string): Subscriptions => {
  const list = parseJson<string[]>(text, []);
  return { announcements: list.includes('announcements'), digest: list.includes('digest') };
};

function rowToRequest(row: Selectable<SubscriptionRequestsTable>): SubscriptionRequest {
  const { addressHash: _hash, mailed: _mailed, subscriptions, ...rest } = row;
  return { ...rest, subscriptions: fromChosen(subscriptions) };
}

export async function insertSubscriptionRequest(
  db: Db,
  request: Omit<SubscriptionRequest, 'id' | 'confirmedAt' | 'contactId'> & { addressHash: string },
): Promise<string> {
  const id = `sub_${randomBytes(16).toString('hex')}`;
  await db
    .insertInto('subscriptionRequests')
    .values({
      ...request,
      id,
      subscriptions: toJson(chosen(request.subscriptions)),
      mailed: 1,
      confirmedAt: null,
      contactId: null,
    })
    .execute();
  return id;
}

/** The confirmation mail did not go out: the request does not count against the address. */
export async function markNotMailed(db: Db, id: string): Promise<void> {
  await db.updateTable('subscriptionRequests').set({ mailed: 0 }).where('id', '=', id).execute();
}

/** Confirmation mails sent to this address since `since`. */
export async function countMailed(db: Db, addressHash: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('subscriptionRequests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('addressHash', '=', addressHash)
    .where('mailed', '=', 1)
    .where('requestedAt', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findSubscriptionRequest(db: Db, id: string): Promise<SubscriptionRequest | null> {
  const row = await db.selectFrom('subscriptionRequests').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? rowToRequest(row) : null;
}

/** Marks the request confirmed once; false when it already was (a replayed link). */
export async function markConfirmed(db: Db, id: string, contactId: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('subscriptionRequests')
    .set({ confirmedAt: at, contactId })
    .where('id', '=', id)
    .where('confirmedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export type Consent = Omit<Selectable<ContactConsentsTable>, 'subscriptions'> & {
  subscriptions: Subscriptions;
};

export async function insertConsent(db: Db, consent: Omit<Consent, 'id'>): Promise<void> {
  await db
    .insertInto('contactConsents')
    .values({
      ...consent,
      id: `cns_${randomBytes(16).toString('hex')}`,
      subscriptions: toJson(chosen(consent.subscriptions)),
    })
    .execute();
}

export async function listConsents(db: Db, contactId: string): Promise<Consent[]> {
  const rows = await db
    .selectFrom('contactConsents')
    .selectAll()
    .where('contactId', '=', contactId)
    .orderBy('givenAt')
    .execute();
  return rows.map((r) => ({ ...r, subscriptions: fromChosen(r.subscriptions) }));
}

/** Requests made for this address (by its hash) or confirmed into this contact. */
export async function listSubscriptionRequests(
  db: Db,
  addressHash: string,
  contactId: string,
): Promise<SubscriptionRequest[]> {
  const rows = await db
    .selectFrom('subscriptionRequests')
    .selectAll()
    .where((eb) => eb.or([eb('addressHash', '=', addressHash), eb('contactId', '=', contactId)]))
    .orderBy('requestedAt')
    .execute();
  return rows.map(rowToRequest);
}

/** Erasure: the contact's consents and every request for its address go. */
export async function deleteSubscriptionRecords(
  db: Db,
  addressHash: string,
  contactId: string,
): Promise<number> {
  await db.deleteFrom('contactConsents').where('contactId', '=', contactId).execute();
  const result = await db
    .deleteFrom('subscriptionRequests')
    .where((eb) => eb.or([eb('addressHash', '=', addressHash), eb('contactId', '=', contactId)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
