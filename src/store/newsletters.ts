// Newsletters and their recipient rows (the list a send works through).
import { randomUUID } from 'node:crypto';
import type { ExpressionBuilder, Kysely, Selectable, Updateable } from 'kysely';
import type { NewsletterKind } from '../domain/newsletter.js';
import type {
  Newsletter,
  NewsletterSource,
  NewsletterStatus,
  ProgressCounts,
  Recipient,
  RecipientStatus,
} from '../domain/newsletter-send.js';
import { emptyProgress, OPEN_RECIPIENT_STATUSES } from '../domain/newsletter-send.js';
import type { Audience } from './members.js';
import type { Database, NewsletterRecipientsTable, NewslettersTable } from './schema.js';
import { nowIso } from './db.js';
import { countRows } from './counts.js';
import { newId } from './ids.js';
import { parseJson, toJson } from './json.js';
import { foundOrThrow } from './found.js';
import { HotStatement } from './prepared.js';

type Db = Kysely<Database>;

/** Recipient ids: valid BullMQ job ids (no ':', not all digits), and Message-ID parts. */
export const newRecipientId = (): string => `nlr_${randomUUID().replaceAll('-', '')}`;

export function rowToNewsletter(row: Selectable<NewslettersTable>): Newsletter {
  return {
    id: row.id,
    kind: row.kind as NewsletterKind,
    itemIds: parseJson<string[]>(row.itemIds, []),
    subject: row.subject,
    status: row.status as NewsletterStatus,
    source: row.source as NewsletterSource,
    scheduledAt: row.scheduledAt,
    scheduleToken: row.scheduleToken,
    content: row.content === null ? null : parseJson<unknown[]>(row.content, []),
    layout: row.layout,
    digestFrom: row.digestFrom,
    digestTo: row.digestTo,
    recipientsTotal: row.recipientsTotal,
    startedAt: row.startedAt,
    sentAt: row.sentAt,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function rowToRecipient(row: Selectable<NewsletterRecipientsTable>): Recipient {
  return { ...row, status: row.status as RecipientStatus };
}

export interface NewNewsletter {
  kind: NewsletterKind;
  itemIds: string[];
  subject?: string | null | undefined;
  source: NewsletterSource;
  /** Makes an automatic newsletter happen once: a second insert with the same key returns the first. */
  sourceKey?: string | undefined;
  digestFrom?: string | undefined;
  digestTo?: string | undefined;
  createdBy: string;
}

export async function insertNewsletter(
  db: Db,
  input: NewNewsletter,
): Promise<{ newsletter: Newsletter; created: boolean }> {
  const now = nowIso();
  const id = newId('nl');
  const inserted = await db
    .insertInto('newsletters')
    .values({
      id,
      kind: input.kind,
      itemIds: toJson(input.itemIds),
      subject: input.subject ?? null,
      status: 'draft',
      source: input.source,
      sourceKey: input.sourceKey ?? null,
      scheduledAt: null,
      scheduleToken: null,
      content: null,
      layout: null,
      digestFrom: input.digestFrom ?? null,
      digestTo: input.digestTo ?? null,
      recipientsTotal: 0,
      startedAt: null,
      sentAt: null,
      createdBy: input.createdBy,
      createdAt: now,
      updatedAt: now,
    })
    .onConflict((oc) => oc.column('sourceKey').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { newsletter: await getNewsletter(db, id), created: true };
  const existing = await db
    .selectFrom('newsletters')
    .selectAll()
    .where('sourceKey', '=', input.sourceKey ?? '')
    .executeTakeFirstOrThrow();
  return { newsletter: rowToNewsletter(existing), created: false };
}

export async function findNewsletter(db: Db, id: string): Promise<Newsletter | null> {
  const row = await db.selectFrom('newsletters').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? rowToNewsletter(row) : null;
}

export const getNewsletter = (db: Db, id: string): Promise<Newsletter> =>
  foundOrThrow(findNewsletter(db, id), 'newsletter', id);

export async function listNewsletters(
  db: Db,
  q: { status?: NewsletterStatus | undefined; limit: number; offset: number },
): Promise<{ newsletters: Newsletter[]; total: number }> {
  let base = db.selectFrom('newsletters');
  if (q.status) base = base.where('status', '=', q.status);
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('createdAt', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
    countRows(base),
  ]);
  return { newsletters: rows.map(rowToNewsletter), total };
}

export async function listNewslettersByStatus(db: Db, statuses: NewsletterStatus[]): Promise<Newsletter[]> {
  const rows = await db
    .selectFrom('newsletters')
    .selectAll()
    .where('status', 'in', statuses)
    .orderBy('createdAt')
    .execute();
  return rows.map(rowToNewsletter);
}

type NewsletterChange = Omit<Updateable<NewslettersTable>, 'id' | 'createdAt' | 'updatedAt'>;

/** Applies `change` only while the newsletter is in one of `from`; returns whether it did. */
export async function transitionNewsletter(
  db: Db,
  id: string,
  from: readonly NewsletterStatus[],
  change: NewsletterChange,
): Promise<boolean> {
  const result = await db
    .updateTable('newsletters')
    .set({ ...change, updatedAt: nowIso() })
    .where('id', '=', id)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

// --- Recipients --------------------------------------------------------------------------------

/** The recipient rows: one per recipient, in chunks, inside the caller's transaction. */
export async function insertRecipients(
  trx: Db,
  newsletterId: string,
  audience: readonly Audience[],
): Promise<number> {
  const now = nowIso();
  for (let i = 0; i < audience.length; i += 500) {
    const rows = audience.slice(i, i + 500).map((a) => ({
      id: newRecipientId(),
      newsletterId,
      contactId: a.contactId,
      email: a.email,
      name: a.name,
      language: a.language,
      authorityName: a.authorityName,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: null,
      claimedAt: null,
      transmittedAt: null,
      reply: null,
      messageId: null,
      sentAt: null,
      createdAt: now,
      updatedAt: now,
    }));
    await trx
      .insertInto('newsletterRecipients')
      .values(rows)
      .onConflict((oc) => oc.columns(['newsletterId', 'contactId']).doNothing())
      .execute();
  }
  return audience.length;
}

export async function findRecipient(db: Db, id: string): Promise<Recipient | null> {
  const row = await db.selectFrom('newsletterRecipients').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? rowToRecipient(row) : null;
}

export async function progressOf(db: Db, newsletterId: string): Promise<ProgressCounts> {
  const rows = await db
    .selectFrom('newsletterRecipients')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('newsletterId', '=', newsletterId)
    .groupBy('status')
    .execute();
  const progress = emptyProgress();
  for (const r of rows) {
    progress[r.status as RecipientStatus] = Number(r.n);
    progress.total += Number(r.n);
  }
  return progress;
}

export interface RecipientListQuery {
  status?: RecipientStatus | undefined;
  limit: number;
  offset: number;
}

export async function listRecipients(
  db: Db,
  newsletterId: string,
  q: RecipientListQuery,
): Promise<{ recipients: Recipient[]; total: number }> {
  let base = db.selectFrom('newsletterRecipients').where('newsletterId', '=', newsletterId);
  if (q.status) base = base.where('status', '=', q.status);
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('email').orderBy('id').limit(q.limit).offset(q.offset).execute(),
    countRows(base),
  ]);
  return { recipients: rows.map(rowToRecipient), total };
}

/** Open rows, in pages by id: what must have a job while the newsletter is sending. */
export async function openRecipientPage(
  db: Db,
  newsletterId: string,
  afterId: string,
  limit: number,
): Promise<Array<{ id: string; nextAttemptAt: string | null }>> {
  return db
    .selectFrom('newsletterRecipients')
    .select(['id', 'nextAttemptAt'])
    .where('newsletterId', '=', newsletterId)
    .where('status', 'in', ['pending', 'deferred'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function hasOpenRecipients(db: Db, newsletterId: string): Promise<boolean> {
  const row = await db
    .selectFrom('newsletterRecipients')
    .select('id')
    .where('newsletterId', '=', newsletterId)
    .where('status', 'in', [...OPEN_RECIPIENT_STATUSES])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Rows claimed before `before` and still `sending`: their worker may have died. */
export async function staleClaims(db: Db, before: string, limit = 500): Promise<Recipient[]> {
  const rows = await db
    .selectFrom('newsletterRecipients')
    .innerJoin('newsletters', 'newsletters.id', 'newsletterRecipients.newsletterId')
    .selectAll('newsletterRecipients')
    .where('newsletters.status', 'in', ['sending', 'paused', 'cancelled'])
    .where('newsletterRecipients.status', '=', 'sending')
    .where('newsletterRecipients.claimedAt', '<', before)
    .limit(limit)
    .execute();
  return rows.map(rowToRecipient);
}

/**
 * Claims a row for one attempt in one statement: only a pending or due deferred row of a newsletter
 * that is sending. No two workers can both claim it.
 */
export interface ClaimedRecipient extends Recipient {
  /** The contact as it is at the moment of the claim (null: deleted since the send started). */
  contact: { status: string; announcements: boolean; digest: boolean } | null;
}

const recipientClaim = new HotStatement((db: Db, a: { id: string; now: string }) => {
  const contact =
    (column: 'status' | 'announcements' | 'digest') =>
    (eb: ExpressionBuilder<Database, 'newsletterRecipients'>) =>
      eb
        .selectFrom('contacts')
        .select(`contacts.${column}`)
        .whereRef('contacts.id', '=', 'newsletterRecipients.contactId');
  return (
    db
      .updateTable('newsletterRecipients')
      .set((eb) => ({
        status: 'sending',
        attempts: eb('attempts', '+', 1),
        claimedAt: a.now,
        transmittedAt: null,
        nextAttemptAt: null,
        updatedAt: a.now,
      }))
      .where('id', '=', a.id)
      .where('status', 'in', ['pending', 'deferred'])
      .where((eb) => eb.or([eb('nextAttemptAt', 'is', null), eb('nextAttemptAt', '<=', a.now)]))
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('newsletters')
            .select('newsletters.id')
            .whereRef('newsletters.id', '=', 'newsletterRecipients.newsletterId')
            .where('newsletters.status', '=', 'sending'),
        ),
      )
      .returningAll()
      // The contact's current state in the same statement: one round trip per claim, not two.
      .returning((eb) => [
        contact('status')(eb).as('contactStatus'),
        contact('announcements')(eb).as('contactAnnouncements'),
        contact('digest')(eb).as('contactDigest'),
      ])
  );
});

export async function claimRecipient(db: Db, id: string): Promise<ClaimedRecipient | null> {
  const [row] = await recipientClaim.rows(db, { id, now: nowIso() });
  if (!row) return null;
  const { contactStatus, contactAnnouncements, contactDigest, ...rest } = row;
  return {
    ...rowToRecipient(rest),
    contact:
      contactStatus === null
        ? null
        : {
            status: String(contactStatus),
            announcements: Number(contactAnnouncements) === 1,
            digest: Number(contactDigest) === 1,
          },
  };
}

/** The message's bytes are about to go to the server: from now on the outcome may be "accepted". */
export async function markTransmitting(db: Db, id: string, claimedAt: string): Promise<boolean> {
  return (await transmitMark.changes(db, { id, claimedAt, now: nowIso() })) === 1;
}

const transmitMark = new HotStatement((db: Db, a: { id: string; claimedAt: string; now: string }) =>
  db
    .updateTable('newsletterRecipients')
    .set({ transmittedAt: a.now })
    .where('id', '=', a.id)
    .where('status', '=', 'sending')
    .where('claimedAt', '=', a.claimedAt),
);

export type RecipientOutcome = Pick<
  Updateable<NewsletterRecipientsTable>,
  'reply' | 'messageId' | 'sentAt' | 'nextAttemptAt' | 'attempts'
> & { status: RecipientStatus };

/** Records the attempt's outcome, only if this claim still holds the row. */
export async function recordOutcome(
  db: Db,
  id: string,
  claimedAt: string,
  outcome: RecipientOutcome,
): Promise<boolean> {
  const set = Object.fromEntries(Object.entries(outcome).filter(([, value]) => value !== undefined));
  const columns = Object.keys(set) as Array<keyof RecipientOutcome>;
  const key = columns.join(',');
  let statement = outcomeRecords.get(key);
  if (!statement) {
    statement = outcomeRecord(columns);
    outcomeRecords.set(key, statement);
  }
  return (await statement.changes(db, { ...set, id, claimedAt, now: nowIso() })) === 1;
}

type OutcomeArgs = Record<string, unknown> & { id: string; claimedAt: string; now: string };

/** One statement per set of columns an outcome writes (a handful: sent, deferred, failed…). */
const outcomeRecords = new Map<string, HotStatement<OutcomeArgs, unknown>>();

function outcomeRecord(columns: Array<keyof RecipientOutcome>): HotStatement<OutcomeArgs, unknown> {
  return new HotStatement((db: Db, a: OutcomeArgs) =>
    db
      .updateTable('newsletterRecipients')
      .set({ ...(Object.fromEntries(columns.map((c) => [c, a[c]])) as RecipientOutcome), updatedAt: a.now })
      .where('id', '=', a.id)
      .where('status', '=', 'sending')
      .where('claimedAt', '=', a.claimedAt),
  );
}

/** Moves rows of a newsletter from some statuses to another; returns how many moved. */
export async function moveRecipients(
  db: Db,
  newsletterId: string,
  from: readonly RecipientStatus[],
  to: RecipientStatus,
  reply: string | null,
): Promise<number> {
  const result = await db
    .updateTable('newsletterRecipients')
    .set({ status: to, reply, nextAttemptAt: null, updatedAt: nowIso() })
    .where('newsletterId', '=', newsletterId)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** An unsubscribe (or bounce) takes effect at once for every message of the contact not yet sent. */
export async function skipOpenRecipientsOfContact(
  db: Db,
  contactId: string,
  reason: string,
): Promise<number> {
  const result = await db
    .updateTable('newsletterRecipients')
    .set({ status: 'skipped', reply: reason, nextAttemptAt: null, updatedAt: nowIso() })
    .where('contactId', '=', contactId)
    .where('status', 'in', ['pending', 'deferred'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// --- Small named values ------------------------------------------------------------------------

export async function getState(db: Db, key: string): Promise<string | null> {
  const row = await db
    .selectFrom('newsletterState')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.value ?? null;
}

export async function setState(db: Db, key: string, value: string): Promise<void> {
  const now = nowIso();
  await db
    .insertInto('newsletterState')
    .values({ key, value, updatedAt: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updatedAt: now }))
    .execute();
}

/** Sets the value only when none is stored yet; returns the stored value. */
export async function initState(db: Db, key: string, value: string): Promise<string> {
  await db
    .insertInto('newsletterState')
    .values({ key, value, updatedAt: nowIso() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return (await getState(db, key)) ?? value;
}

/** Ends a claim whose attempt was cut off (worker died): back to pending, or to unknown. */
export async function endInterruptedClaim(
  db: Db,
  id: string,
  claimedAt: string,
  to: 'pending' | 'unknown',
  reply: string,
): Promise<boolean> {
  const result = await db
    .updateTable('newsletterRecipients')
    .set({ status: to, reply, nextAttemptAt: null, updatedAt: nowIso() })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('claimedAt', '=', claimedAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
