import { randomBytes } from 'node:crypto';
import ical, { type ICalCalendar } from 'ical-generator';
import { DateTime } from 'luxon';
import {
  buildCalendar,
  calendarPeriod,
  type CalendarEntry,
  type CalendarFilters,
  type CalendarGrid,
  type CalendarView,
} from '../domain/calendar.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { parsePublishTime } from '../domain/schedule.js';
import { listAccounts } from '../store/accounts.js';
import {
  calendarEntries,
  calendarFeedOwner,
  calendarFeedToken,
  revokeCalendarFeed,
  setCalendarFeedToken,
} from '../store/calendar.js';
import { findItem } from '../store/items.js';
import type { Context } from './context.js';
import { requestPublish, type PublishOutcome } from './publishing.js';

export interface CalendarPage {
  grid: CalendarGrid;
  /** Languages and tags of the period's entries (before filtering), for the filter choices. */
  languages: string[];
  tags: string[];
}

export async function calendarGrid(
  ctx: Context,
  view: CalendarView,
  date: string,
  zone: string,
  filters: CalendarFilters,
): Promise<CalendarPage> {
  const period = calendarPeriod(view, date, zone);
  const entries = await calendarEntries(ctx.store.db, period.from, period.to);
  const languages = new Set(entries.flatMap((e) => (e.language ? [e.language] : [])));
  const tags = new Set(entries.flatMap((e) => e.tags));
  return {
    grid: buildCalendar(period, entries, filters),
    languages: [...languages].sort(),
    tags: [...tags].sort(),
  };
}

/**
 * Moves a scheduled item to another day or time (a drag on the calendar). The same rules as the schedule
 * form (a time the zone skips is refused), except that any past time is refused: a drop never publishes now.
 * The item keeps its chosen channels and announcement.
 */
export async function rescheduleFromCalendar(
  ctx: Context,
  itemId: string,
  at: string,
  zone: string,
  actor: string,
): Promise<PublishOutcome> {
  const item = await findItem(ctx.store.db, itemId);
  if (!item) throw new NotFoundError('item', itemId);
  if (item.status !== 'scheduled')
    throw new ConflictError(
      `only a scheduled item can be moved; this one is ${item.status}`,
      'not_scheduled',
    );
  const when = parsePublishTime(at, zone);
  if (Date.parse(when.at) <= Date.now()) throw new ValidationError({ at: 'is in the past' });
  return requestPublish(ctx, itemId, {
    at: when.at,
    timezone: zone,
    channels: item.publishChannels ?? undefined,
    announce: item.announce,
    actor,
  });
}

// --- The iCalendar feed ------------------------------------------------------------------------

/** How far back and ahead the feed reaches. */
const FEED_PAST_DAYS = 90;
const FEED_FUTURE_DAYS = 400;
/** Events need an end; a publication is a moment, shown as a short slot. */
const EVENT_MINUTES = 15;

export const calendarFeedPath = (token: string) => `/calendar/feed/${token}.ics`;

export async function calendarFeedUrl(ctx: Context, userId: string): Promise<string | null> {
  const token = await calendarFeedToken(ctx.store.db, userId);
  return token ? `${ctx.config.publicUrl}${calendarFeedPath(token)}` : null;
}

/** A new secret address for the person's feed; the previous one stops working. */
export async function regenerateCalendarFeed(ctx: Context, userId: string): Promise<void> {
  await setCalendarFeedToken(ctx.store.db, userId, randomBytes(32).toString('base64url'));
}

export async function revokeCalendarFeedFor(ctx: Context, userId: string): Promise<void> {
  await revokeCalendarFeed(ctx.store.db, userId);
}

/** The feed behind a token, or null when the token is unknown or revoked. */
export async function calendarFeed(
  ctx: Context,
  token: string,
  now = DateTime.now(),
): Promise<string | null> {
  const owner = await calendarFeedOwner(ctx.store.db, token);
  if (!owner) return null;
  const zone = owner.timezone ?? ctx.config.timezone;
  const from = now.minus({ days: FEED_PAST_DAYS }).toUTC().toISO()!;
  const to = now.plus({ days: FEED_FUTURE_DAYS }).toUTC().toISO()!;
  const [entries, accounts] = await Promise.all([
    calendarEntries(ctx.store.db, from, to),
    listAccounts(ctx.store.db),
  ]);
  const names = new Map(accounts.map((a) => [a.id, a.name]));
  const calendar = ical({
    name: `${ctx.config.organisationName} – Herald`,
    prodId: { company: 'herald', product: 'calendar' },
  });
  // Instants are written in UTC (no VTIMEZONE needed); the zone tells clients how to show them.
  calendar.x('X-WR-TIMEZONE', zone);
  for (const entry of entries) addEvent(ctx, calendar, entry, names, zone);
  return calendar.toString();
}

function addEvent(
  ctx: Context,
  calendar: ICalCalendar,
  entry: CalendarEntry,
  names: Map<string, string>,
  zone: string,
): void {
  const start = new Date(entry.at);
  const url = `${ctx.config.publicUrl}/${entry.kind === 'item' ? 'items' : 'newsletters'}/${entry.id}`;
  const channels =
    entry.kind === 'newsletter'
      ? 'newsletter'
      : entry.channels === null
        ? 'all channels'
        : entry.channels.map((c) => names.get(c) ?? c).join(', ');
  calendar.createEvent({
    id: `${entry.id}@herald`,
    start,
    end: new Date(start.getTime() + EVENT_MINUTES * 60_000),
    summary: entry.title,
    description: `${entry.state} – ${channels}\n${DateTime.fromJSDate(start).setZone(zone).toFormat('yyyy-LL-dd HH:mm')} ${zone}\n${url}`,
    url,
    categories: [{ name: entry.state }],
    x: [['X-HERALD-CHANNELS', channels]],
  });
}
