// Feedback events (bounces, complaints, unsubscriptions), the per-address suppression list and the
// mailbox messages kept for a person.
import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { FeedbackKind, FeedbackSource, SuppressionReason } from '../domain/mail-feedback.js';
import type { FeedbackSummary } from '../domain/mail-feedback.js';
import { strongerReason, summariseFeedback } from '../domain/mail-feedback.js';
import { emailKey } from '../domain/member.js';
import type { Database, MailFeedbackUnparsedTable } from './schema.js';
import { nowIso } from './db.js';
import { initState } from './newsletters.js';

type Db = Kysely<Database>;

export const newFeedbackId = (): string => `mfe_${randomBytes(16).toString('hex')}`;

const SALT_KEY = 'suppression.salt';

/** The suppression list's salt: made once per database and never shown, so hashes name no address. */
export function suppressionSalt(db: Db): Promise<string> {
  return initState(db, SALT_KEY, randomBytes(32).toString('hex'));
}

export function addressHash(salt: string, email: string): string {
  return createHmac('sha256', salt).update(emailKey(email)).digest('hex');
}

export interface FeedbackEvent {
  id: string;
  kind: FeedbackKind;
  source: FeedbackSource;
  contactId: string | null;
  newsletterId: string | null;
  recipientId: string | null;
  detail: string;
  occurredAt: string;
}

export interface NewFeedbackEvent extends Omit<FeedbackEvent, 'id'> {
  /** The provider's id for the event (a webhook's event id, a report's Message-ID). */
  providerEventId: string;
}

/** Records an event unless the same provider event was recorded before; returns it, or null for a repeat. */
export async function insertFeedbackEvent(db: Db, event: NewFeedbackEvent): Promise<FeedbackEvent | null> {
  const { providerEventId, ...fields } = event;
  const row = { id: newFeedbackId(), ...fields };
  const result = await db
    .insertInto('mailFeedbackEvents')
    .values({ ...row, eventKey: `${event.source}:${providerEventId}`, createdAt: nowIso() })
    .onConflict((oc) => oc.column('eventKey').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? row : null;
}

export async function countFeedback(
  db: Db,
  contactId: string,
  kind: FeedbackKind,
  since: string,
): Promise<number> {
  const row = await db
    .selectFrom('mailFeedbackEvents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('contactId', '=', contactId)
    .where('kind', '=', kind)
    .where('occurredAt', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listFeedbackEvents(
  db: Db,
  by: { contactId: string } | { newsletterId: string },
): Promise<FeedbackEvent[]> {
  let q = db
    .selectFrom('mailFeedbackEvents')
    .select(['id', 'kind', 'source', 'contactId', 'newsletterId', 'recipientId', 'detail', 'occurredAt']);
  q =
    'contactId' in by
      ? q.where('contactId', '=', by.contactId)
      : q.where('newsletterId', '=', by.newsletterId);
  const rows = await q.orderBy('occurredAt').orderBy('id').execute();
  return rows.map((r) => ({ ...r, kind: r.kind as FeedbackKind, source: r.source as FeedbackSource }));
}

/** Events of one newsletter by kind: how many of its recipients bounced, complained or unsubscribed. */
export async function feedbackCounts(db: Db, newsletterId: string): Promise<Record<FeedbackKind, number>> {
  const rows = await db
    .selectFrom('mailFeedbackEvents')
    .select(['kind', (eb) => eb.fn.count<number>('contactId').distinct().as('n')])
    .where('newsletterId', '=', newsletterId)
    .groupBy('kind')
    .execute();
  const counts: Record<FeedbackKind, number> = { hard: 0, soft: 0, complaint: 0, unsubscribe: 0 };
  for (const r of rows) counts[r.kind as FeedbackKind] = Number(r.n);
  return counts;
}

export interface Suppression {
  reason: SuppressionReason;
  source: string;
  contactId: string | null;
  detail: string;
  createdAt: string;
}

export async function findSuppression(db: Db, hash: string): Promise<Suppression | null> {
  const row = await db
    .selectFrom('mailSuppressions')
    .select(['reason', 'source', 'contactId', 'detail', 'createdAt'])
    .where('addressHash', '=', hash)
    .executeTakeFirst();
  return row ? { ...row, reason: row.reason as SuppressionReason } : null;
}

/** Suppressions of these address hashes, by hash (for an import's addresses). */
export async function findSuppressions(db: Db, hashes: readonly string[]): Promise<Map<string, Suppression>> {
  if (hashes.length === 0) return new Map();
  const rows = await db
    .selectFrom('mailSuppressions')
    .select(['addressHash', 'reason', 'source', 'contactId', 'detail', 'createdAt'])
    .where('addressHash', 'in', [...hashes])
    .execute();
  return new Map(
    rows.map(({ addressHash, ...r }) => [addressHash, { ...r, reason: r.reason as SuppressionReason }]),
  );
}

/** Adds the address, or keeps the stronger reason when it is there already. */
export async function suppressAddress(
  db: Db,
  hash: string,
  entry: { reason: SuppressionReason; source: string; contactId: string | null; detail: string },
): Promise<void> {
  const now = nowIso();
  const existing = await findSuppression(db, hash);
  if (!existing) {
    await db
      .insertInto('mailSuppressions')
      .values({ addressHash: hash, ...entry, createdAt: now, updatedAt: now })
      .onConflict((oc) =>
        oc
          .column('addressHash')
          .doUpdateSet({ reason: entry.reason, source: entry.source, detail: entry.detail, updatedAt: now }),
      )
      .execute();
    return;
  }
  const reason = strongerReason(existing.reason, entry.reason);
  const change =
    reason === existing.reason
      ? { updatedAt: now }
      : { reason, source: entry.source, detail: entry.detail, updatedAt: now };
  await db.updateTable('mailSuppressions').set(change).where('addressHash', '=', hash).execute();
}

export async function liftSuppression(db: Db, hash: string): Promise<boolean> {
  const result = await db.deleteFrom('mailSuppressions').where('addressHash', '=', hash).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The suppression of one address, if any. */
export async function suppressionOfAddress(db: Db, email: string): Promise<Suppression | null> {
  return findSuppression(db, addressHash(await suppressionSalt(db), email));
}

export type UnparsedMessage = Omit<MailFeedbackUnparsedTable, 'createdAt'>;

/** Keeps a mailbox message nobody could understand, for a person; once per Message-ID. */
export async function insertUnparsed(db: Db, message: Omit<UnparsedMessage, 'id'>): Promise<void> {
  if (message.messageId) {
    const seen = await db
      .selectFrom('mailFeedbackUnparsed')
      .select('id')
      .where('messageId', '=', message.messageId)
      .executeTakeFirst();
    if (seen) return;
  }
  await db
    .insertInto('mailFeedbackUnparsed')
    .values({ id: `mfu_${randomBytes(16).toString('hex')}`, ...message, createdAt: nowIso() })
    .execute();
}

export async function listUnparsed(db: Db, newsletterId?: string): Promise<UnparsedMessage[]> {
  let q = db
    .selectFrom('mailFeedbackUnparsed')
    .select(['id', 'receivedAt', 'folder', 'messageId', 'sender', 'subject', 'reason', 'newsletterId']);
  if (newsletterId) q = q.where('newsletterId', '=', newsletterId);
  return q.orderBy('receivedAt', 'desc').limit(200).execute();
}

/** What feedback said about one newsletter (counts, rates, complaint level) and the reports kept for a person. */
export async function newsletterFeedback(
  db: Db,
  newsletterId: string,
  sent: number,
): Promise<{ feedback: FeedbackSummary; unparsedReports: UnparsedMessage[] }> {
  const [counts, unparsedReports] = await Promise.all([
    feedbackCounts(db, newsletterId),
    listUnparsed(db, newsletterId),
  ]);
  return { feedback: summariseFeedback(sent, counts), unparsedReports };
}
