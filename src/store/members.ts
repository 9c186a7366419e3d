// Member authorities and their contacts.
import { sql, type Kysely, type Selectable, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { ConflictError } from '../domain/errors.js';
import type {
  Authority,
  AuthorityFields,
  Contact,
  ContactFields,
  ContactStatus,
  RegionType,
  Subscriptions,
} from '../domain/member.js';
import { authorityKey, emailKey } from '../domain/member.js';
import type { NewsletterKind } from '../domain/newsletter.js';
import { subscriptionFor } from '../domain/newsletter.js';
import type { AuthoritiesTable, ContactsTable, Database } from './schema.js';
import { nowIso } from './db.js';
import { newId } from './ids.js';
import { foundOrThrow } from './found.js';
import { countByStatus, countRows } from './counts.js';

type Db = Kysely<Database>;

export interface StoredContact extends Contact {
  statusReason: string | null;
  statusChangedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface StoredAuthority extends Authority {
  createdAt: string;
  updatedAt: string;
}

export function rowToAuthority(row: Selectable<AuthoritiesTable>): StoredAuthority {
  return {
    id: row.id,
    name: row.name,
    country: row.country,
    regionType: row.regionType as RegionType,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function rowToContact(row: Selectable<ContactsTable>): StoredContact {
  return {
    id: row.id,
    authorityId: row.authorityId,
    name: row.name,
    email: row.email,
    language: row.language,
    status: row.status as ContactStatus,
    subscriptions: { announcements: row.announcements === 1, digest: row.digest === 1 },
    statusReason: row.statusReason,
    statusChangedAt: row.statusChangedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

// --- Authorities -------------------------------------------------------------------------------

export async function findAuthority(db: Db, id: string): Promise<StoredAuthority | null> {
  const row = await db.selectFrom('authorities').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? rowToAuthority(row) : null;
}

export const getAuthority = (db: Db, id: string): Promise<StoredAuthority> =>
  foundOrThrow(findAuthority(db, id), 'member authority', id);

export async function insertAuthority(db: Db, fields: AuthorityFields): Promise<StoredAuthority> {
  const key = authorityKey(fields.name, fields.country);
  const clash = await db.selectFrom('authorities').select('id').where('nameKey', '=', key).executeTakeFirst();
  if (clash)
    throw new ConflictError(
      `${fields.name} (${fields.country}) already exists as ${clash.id}`,
      'duplicate_authority',
    );
  const { name, country, regionType } = fields;
  const id = await insertAuthorityRow(db, { name, nameKey: key, country, regionType }, nowIso());
  return getAuthority(db, id);
}

/** Adds the authority row as it is (its name key already checked to be free); returns its new id. */
export async function insertAuthorityRow(
  db: Db,
  authority: { name: string; nameKey: string; country: string; regionType: string },
  now: string,
): Promise<string> {
  const id = newId('aut');
  await db
    .insertInto('authorities')
    .values({ id, ...authority, createdAt: now, updatedAt: now })
    .execute();
  return id;
}

export async function updateAuthority(db: Db, id: string, fields: AuthorityFields): Promise<StoredAuthority> {
  await getAuthority(db, id);
  const key = authorityKey(fields.name, fields.country);
  const clash = await db
    .selectFrom('authorities')
    .select('id')
    .where('nameKey', '=', key)
    .where('id', '<>', id)
    .executeTakeFirst();
  if (clash)
    throw new ConflictError(
      `${fields.name} (${fields.country}) already exists as ${clash.id}`,
      'duplicate_authority',
    );
  await db
    .updateTable('authorities')
    .set({
      name: fields.name,
      nameKey: key,
      country: fields.country,
      regionType: fields.regionType,
      updatedAt: nowIso(),
    })
    .where('id', '=', id)
    .execute();
  return getAuthority(db, id);
}

export interface AuthorityListQuery {
  q?: string | undefined;
  country?: string | undefined;
  limit: number;
  offset: number;
}

export async function listAuthorities(
  db: Db,
  query: AuthorityListQuery,
): Promise<{ authorities: Array<StoredAuthority & { contacts: number }>; total: number }> {
  let base = db.selectFrom('authorities');
  if (query.q) base = base.where(containsCi('authorities.name', query.q));
  if (query.country) base = base.where('authorities.country', '=', query.country.toUpperCase());
  const [rows, total] = await Promise.all([
    base
      .selectAll('authorities')
      .select((eb) =>
        eb
          .selectFrom('contacts')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('contacts.authorityId', '=', 'authorities.id')
          .as('contacts'),
      )
      .orderBy('authorities.country')
      .orderBy('authorities.name')
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
    countRows(base),
  ]);
  return {
    authorities: rows.map((r) => ({ ...rowToAuthority(r), contacts: Number(r.contacts ?? 0) })),
    total,
  };
}

export async function listAllAuthorities(db: Db): Promise<StoredAuthority[]> {
  const rows = await db.selectFrom('authorities').selectAll().orderBy('country').orderBy('name').execute();
  return rows.map(rowToAuthority);
}

// --- Contacts ----------------------------------------------------------------------------------

export async function findContact(db: Db, id: string): Promise<StoredContact | null> {
  const row = await db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? rowToContact(row) : null;
}

export const getContact = (db: Db, id: string): Promise<StoredContact> =>
  foundOrThrow(findContact(db, id), 'contact', id);

export async function findContactByEmail(db: Db, email: string): Promise<StoredContact | null> {
  const row = await db
    .selectFrom('contacts')
    .selectAll()
    .where('emailKey', '=', emailKey(email))
    .executeTakeFirst();
  return row ? rowToContact(row) : null;
}

async function assertEmailFree(db: Db, email: string, exceptId?: string): Promise<void> {
  let q = db.selectFrom('contacts').select('id').where('emailKey', '=', emailKey(email));
  if (exceptId) q = q.where('id', '<>', exceptId);
  const clash = await q.executeTakeFirst();
  if (clash)
    throw new ConflictError(`${email} is already the address of contact ${clash.id}`, 'duplicate_email');
}

/** A contact of a member authority, or a follower (`authorityId: null`, from the public form). */
export async function insertContact(
  db: Db,
  fields: Omit<ContactFields, 'authorityId'> & { authorityId: string | null },
): Promise<StoredContact> {
  if (fields.authorityId !== null) await getAuthority(db, fields.authorityId);
  await assertEmailFree(db, fields.email);
  const now = nowIso();
  const id = newId('ctc');
  await db
    .insertInto('contacts')
    .values({
      id,
      authorityId: fields.authorityId,
      name: fields.name,
      email: fields.email,
      emailKey: emailKey(fields.email),
      language: fields.language,
      status: 'active',
      statusReason: null,
      statusChangedAt: null,
      announcements: fields.subscriptions.announcements ? 1 : 0,
      digest: fields.subscriptions.digest ? 1 : 0,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  return getContact(db, id);
}

export interface ContactChange {
  authorityId?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
  language?: string | undefined;
  subscriptions?: Partial<Subscriptions> | undefined;
}

export async function updateContact(db: Db, id: string, change: ContactChange): Promise<StoredContact> {
  const current = await getContact(db, id);
  if (change.authorityId) await getAuthority(db, change.authorityId);
  if (change.email) await assertEmailFree(db, change.email, id);
  const subs = { ...current.subscriptions, ...definedOnly(change.subscriptions ?? {}) };
  await db
    .updateTable('contacts')
    .set({
      authorityId: change.authorityId ?? current.authorityId,
      name: change.name ?? current.name,
      email: change.email ?? current.email,
      emailKey: emailKey(change.email ?? current.email),
      language: change.language ?? current.language,
      announcements: subs.announcements ? 1 : 0,
      digest: subs.digest ? 1 : 0,
      updatedAt: nowIso(),
    })
    .where('id', '=', id)
    .execute();
  return getContact(db, id);
}

/** Changes a contact's status; returns whether it changed. `from` limits which statuses may change. */
export async function setContactStatus(
  db: Db,
  id: string,
  status: ContactStatus,
  reason: string | null,
  from?: readonly ContactStatus[],
): Promise<boolean> {
  const now = nowIso();
  let q = db
    .updateTable('contacts')
    .set({ status, statusReason: reason, statusChangedAt: now, updatedAt: now })
    .where('id', '=', id)
    .where('status', '<>', status);
  if (from) q = q.where('status', 'in', [...from]);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface ContactListQuery {
  q?: string | undefined;
  status?: ContactStatus | undefined;
  authorityId?: string | undefined;
  language?: string | undefined;
  limit: number;
  offset: number;
}

export async function listContacts(
  db: Db,
  query: ContactListQuery,
): Promise<{ contacts: Array<StoredContact & { authorityName: string; country: string }>; total: number }> {
  // Followers have no authority: their authority name and country are empty.
  let base = db.selectFrom('contacts').leftJoin('authorities', 'authorities.id', 'contacts.authorityId');
  if (query.q) {
    const q = query.q;
    base = base.where((eb) =>
      eb.or([
        containsCi('contacts.name', q),
        containsCi('contacts.emailKey', q),
        containsCi('authorities.name', q),
      ]),
    );
  }
  if (query.status) base = base.where('contacts.status', '=', query.status);
  if (query.authorityId) base = base.where('contacts.authorityId', '=', query.authorityId);
  if (query.language) base = base.where('contacts.language', '=', query.language);
  const [rows, total] = await Promise.all([
    base
      .selectAll('contacts')
      .select(['authorities.name as authorityName', 'authorities.country as country'])
      .orderBy('authorities.country')
      .orderBy('authorities.name')
      .orderBy('contacts.emailKey')
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
    countRows(base),
  ]);
  return {
    contacts: rows.map((r) => ({
      ...rowToContact(r),
      authorityName: r.authorityName ?? '',
      country: r.country ?? '',
    })),
    total,
  };
}

export async function listAllContacts(db: Db): Promise<StoredContact[]> {
  const rows = await db
    .selectFrom('contacts')
    .selectAll()
    .orderBy('authorityId')
    .orderBy('emailKey')
    .execute();
  return rows.map(rowToContact);
}

/** A contact who should get a newsletter of this kind now, with what the recipient row snapshots. */
export interface Audience {
  contactId: string;
  email: string;
  name: string;
  language: string;
  authorityName: string;
}

/** Who a kind of newsletter goes to: contacts of member authorities, followers (no authority), or both. */
export type AudienceChoice = 'members' | 'followers' | 'both';

export async function eligibleContacts(
  db: Db,
  kind: NewsletterKind,
  audience: AudienceChoice = 'both',
): Promise<Audience[]> {
  const column = subscriptionFor(kind) === 'announcements' ? 'contacts.announcements' : 'contacts.digest';
  const rows = await inAudience(db.selectFrom('contacts'), audience)
    .leftJoin('authorities', 'authorities.id', 'contacts.authorityId')
    .select([
      'contacts.id as contactId',
      'contacts.email',
      'contacts.name',
      'contacts.language',
      'authorities.name as authorityName',
    ])
    .where('contacts.status', '=', 'active')
    .where(column, '=', 1)
    .orderBy('contacts.id')
    .execute();
  return rows.map((r) => ({ ...r, authorityName: r.authorityName ?? '' }));
}

function inAudience<Q extends SelectQueryBuilder<Database, 'contacts', object>>(
  q: Q,
  audience: AudienceChoice,
): Q {
  if (audience === 'members') return q.where('contacts.authorityId', 'is not', null) as Q;
  if (audience === 'followers') return q.where('contacts.authorityId', 'is', null) as Q;
  return q;
}

export const countContactsByStatus = (db: Db): Promise<Record<string, number>> =>
  countByStatus(db, 'contacts');

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Case-insensitive "contains"; `%` and `_` in the search are literal characters, not wildcards. */
export function containsCi(column: string, needle: string) {
  const pattern = `%${needle.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

/** The languages of the contacts a newsletter of this kind would go to now. */
/** How many contacts a newsletter of this kind would go to now, by language (what `eligibleContacts` returns, counted). */
export async function eligibleCountsByLanguage(
  db: Db,
  kind: NewsletterKind,
  audience: AudienceChoice = 'both',
): Promise<Array<{ language: string; count: number }>> {
  const column = subscriptionFor(kind) === 'announcements' ? 'contacts.announcements' : 'contacts.digest';
  const rows = await inAudience(db.selectFrom('contacts'), audience)
    .select(['contacts.language', (eb) => eb.fn.countAll<number>().as('n')])
    .where('contacts.status', '=', 'active')
    .where(column, '=', 1)
    .groupBy('contacts.language')
    .orderBy('contacts.language')
    .execute();
  return rows.map((r) => ({ language: r.language, count: Number(r.n) }));
}

export async function eligibleLanguages(
  db: Db,
  kind: NewsletterKind,
  audience: AudienceChoice = 'both',
): Promise<string[]> {
  const column = subscriptionFor(kind) === 'announcements' ? 'contacts.announcements' : 'contacts.digest';
  const rows = await inAudience(db.selectFrom('contacts'), audience)
    .select('contacts.language')
    .distinct()
    .where('contacts.status', '=', 'active')
    .where(column, '=', 1)
    .execute();
  return rows.map((r) => r.language);
}
