import type { Kysely } from 'kysely';
import type { CalendarEntry } from '../domain/calendar.js';
import type { Database } from './schema.js';
import { nowIso } from './db.js';
import { parseJson } from './json.js';

type Db = Kysely<Database>;

// What the calendar shows between two instants: items scheduled or published, newsletters scheduled or sent.

async function itemEntries(db: Db, from: string, to: string): Promise<CalendarEntry[]> {
  const rows = await db
    .selectFrom('items')
    .select(['id', 'title', 'status', 'publishAt', 'publishedAt', 'publishChannels', 'tags', 'language'])
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'scheduled'), eb('publishAt', '>=', from), eb('publishAt', '<', to)]),
        eb.and([eb('status', '=', 'published'), eb('publishedAt', '>=', from), eb('publishedAt', '<', to)]),
      ]),
    )
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: 'item' as const,
    title: r.title,
    at: (r.status === 'scheduled' ? r.publishAt : r.publishedAt)!,
    state: r.status,
    channels: r.publishChannels ? parseJson<string[]>(r.publishChannels, []) : null,
    tags: parseJson<string[]>(r.tags, []),
    language: r.language,
  }));
}

async function newsletterEntries(db: Db, from: string, to: string): Promise<CalendarEntry[]> {
  const rows = await db
    .selectFrom('newsletters')
    .select(['id', 'kind', 'subject', 'status', 'scheduledAt', 'startedAt', 'sentAt'])
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'scheduled'), eb('scheduledAt', '>=', from), eb('scheduledAt', '<', to)]),
        eb.and([
          eb('status', 'in', ['sending', 'paused']),
          eb('startedAt', '>=', from),
          eb('startedAt', '<', to),
        ]),
        eb.and([eb('status', '=', 'sent'), eb('sentAt', '>=', from), eb('sentAt', '<', to)]),
      ]),
    )
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: 'newsletter' as const,
    title: r.subject ?? r.kind,
    at: (r.status === 'scheduled' ? r.scheduledAt : r.status === 'sent' ? r.sentAt : r.startedAt)!,
    state: r.status,
    channels: [],
    tags: [],
    language: null,
  }));
}

export async function calendarEntries(db: Db, from: string, to: string): Promise<CalendarEntry[]> {
  const [items, newsletters] = await Promise.all([
    itemEntries(db, from, to),
    newsletterEntries(db, from, to),
  ]);
  return [...items, ...newsletters];
}

export async function calendarFeedToken(db: Db, userId: string): Promise<string | null> {
  const feed = await db
    .selectFrom('calendarFeeds')
    .selectAll()
    .where('userId', '=', userId)
    .executeTakeFirst();
  return feed?.token ?? null;
}

/** The staff member a feed token belongs to, if it is still valid (not revoked, account enabled). */
export async function calendarFeedOwner(
  db: Db,
  token: string,
): Promise<{ userId: string; timezone: string | null } | null> {
  const row = await db
    .selectFrom('calendarFeeds')
    .innerJoin('staffUsers', 'staffUsers.id', 'calendarFeeds.userId')
    .select(['staffUsers.id as userId', 'staffUsers.timezone'])
    .where('calendarFeeds.token', '=', token)
    .where('staffUsers.disabled', '=', 0)
    .executeTakeFirst();
  return row ?? null;
}

/** Replaces the person's feed token (the old address stops working). */
export async function setCalendarFeedToken(db: Db, userId: string, token: string): Promise<void> {
  await db.deleteFrom('calendarFeeds').where('userId', '=', userId).execute();
  await db.insertInto('calendarFeeds').values({ userId, token, createdAt: nowIso() }).execute();
}

export async function revokeCalendarFeed(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('calendarFeeds').where('userId', '=', userId).execute();
}
