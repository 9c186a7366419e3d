import { DateTime } from 'luxon';
import { ValidationError } from './errors.js';
import { isTimeZone } from './schedule.js';

// The publishing calendar: which day of a staff member's zone each scheduled or published thing falls on.
// Pure: entries come in, a grid of days goes out. Days are built from the zone's own midnights (luxon), so a
// day that is 23 or 25 hours long (a DST change) still holds exactly what happens on it locally.

export const CALENDAR_VIEWS = ['month', 'week'] as const;
export type CalendarView = (typeof CALENDAR_VIEWS)[number];

/** A month day shows this many entries, then "+N more". */
export const ENTRIES_PER_DAY = 3;

export interface CalendarEntry {
  id: string;
  kind: 'item' | 'newsletter';
  title: string;
  /** The instant, ISO-8601 UTC. */
  at: string;
  /** Item or newsletter status: scheduled, published, sending, paused, sent. */
  state: string;
  /** Channel account ids; null = every account. Newsletters have none. */
  channels: string[] | null;
  tags: string[];
  language: string | null;
}

export interface CalendarFilters {
  channel?: string | undefined;
  tag?: string | undefined;
  language?: string | undefined;
  state?: string | undefined;
}

export interface PlacedEntry extends CalendarEntry {
  /** Wall-clock time in the viewer's zone, "HH:mm". */
  time: string;
  /** Only a scheduled item can be moved to another day. */
  movable: boolean;
}

export interface CalendarDay {
  /** yyyy-mm-dd in the viewer's zone. */
  date: string;
  /** False for the days of the neighbouring months that fill the month grid's first and last weeks. */
  inPeriod: boolean;
  today: boolean;
  entries: PlacedEntry[];
  /** What a month cell shows (the first ENTRIES_PER_DAY); `more` is how many it leaves out. */
  shown: PlacedEntry[];
  more: number;
}

export interface CalendarPeriod {
  view: CalendarView;
  zone: string;
  /** The day the period was asked for (yyyy-mm-dd). */
  anchor: string;
  /** First and last day shown (yyyy-mm-dd, inclusive). */
  firstDay: string;
  lastDay: string;
  /** The instants bounding the shown days: [from, to). */
  from: string;
  to: string;
  previous: string;
  next: string;
}

export interface CalendarGrid extends CalendarPeriod {
  weeks: CalendarDay[][];
}

export function isCalendarView(value: string): value is CalendarView {
  return (CALENDAR_VIEWS as readonly string[]).includes(value);
}

/** Reads a yyyy-mm-dd day; anything else is a 400 naming the field. */
export function parseCalendarDate(value: string, zone: string, field = 'date'): DateTime {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? DateTime.fromISO(value, { zone }) : null;
  if (!day?.isValid) throw new ValidationError({ [field]: 'must be a date such as 2026-12-03' });
  return day.startOf('day');
}

/** The days a month view (whole Monday–Sunday weeks around the month) or a week view covers. */
export function calendarPeriod(view: CalendarView, anchor: string, zone: string): CalendarPeriod {
  if (!isTimeZone(zone))
    throw new ValidationError({ timezone: `"${zone}" is not an IANA time zone such as "Europe/Paris"` });
  const day = parseCalendarDate(anchor, zone);
  const unit = view === 'month' ? 'month' : 'week';
  const first = day.startOf(unit).startOf('week');
  const last = day.endOf(unit).endOf('week').startOf('day');
  return {
    view,
    zone,
    anchor: day.toISODate()!,
    firstDay: first.toISODate()!,
    lastDay: last.toISODate()!,
    from: first.toUTC().toISO()!,
    to: last.plus({ days: 1 }).startOf('day').toUTC().toISO()!,
    previous: day
      .minus({ [unit]: 1 })
      .startOf(unit)
      .toISODate()!,
    next: day
      .plus({ [unit]: 1 })
      .startOf(unit)
      .toISODate()!,
  };
}

export function matchesFilters(entry: CalendarEntry, filters: CalendarFilters): boolean {
  if (filters.state && entry.state !== filters.state) return false;
  if (filters.language && entry.language !== filters.language) return false;
  if (filters.tag && !entry.tags.includes(filters.tag)) return false;
  if (filters.channel) {
    if (entry.kind !== 'item') return false;
    if (entry.channels !== null && !entry.channels.includes(filters.channel)) return false;
  }
  return true;
}

/** The period's days with the instant each starts at (ms), in order; the last element is the period's end. */
function dayStarts(period: CalendarPeriod): Array<{ date: string; start: number }> {
  const days = [];
  for (
    let day = DateTime.fromISO(period.firstDay, { zone: period.zone });
    day.toISODate()! <= period.lastDay;
    day = day.plus({ days: 1 })
  ) {
    days.push({ date: day.toISODate()!, start: day.toMillis() });
  }
  return [...days, { date: '', start: Date.parse(period.to) }];
}

/** Index of the day an instant falls on (binary search), or -1 outside the period. */
function dayIndex(days: Array<{ start: number }>, ms: number): number {
  let lo = 0;
  let hi = days.length - 1;
  if (ms < days[0]!.start || ms >= days[hi]!.start) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (days[mid]!.start <= ms) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** By instant, then id; plain comparisons (localeCompare is slow and depends on the locale). */
const byTimeThenId = (a: CalendarEntry, b: CalendarEntry) =>
  Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Places entries on the days of a period, in the period's zone, soonest first within a day. */
export function buildCalendar(
  period: CalendarPeriod,
  entries: CalendarEntry[],
  filters: CalendarFilters = {},
  now: DateTime<boolean> = DateTime.now(),
): CalendarGrid {
  // Luxon only for the few day boundaries; a cached Intl formatter for each entry's wall-clock time.
  const days = dayStarts(period);
  const clock = new Intl.DateTimeFormat('en-GB', {
    timeZone: period.zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const byDay = new Map<string, PlacedEntry[]>();
  for (const entry of entries) {
    if (!matchesFilters(entry, filters)) continue;
    const ms = Date.parse(entry.at);
    const index = dayIndex(days, ms);
    if (index < 0) continue;
    const date = days[index]!.date;
    const placed: PlacedEntry = {
      ...entry,
      time: clock.format(ms),
      movable: entry.kind === 'item' && entry.state === 'scheduled',
    };
    const list = byDay.get(date);
    if (list) list.push(placed);
    else byDay.set(date, [placed]);
  }
  const today = now.setZone(period.zone).toISODate();
  const month = period.anchor.slice(0, 7);
  const weeks: CalendarDay[][] = [];
  for (const { date, start } of days.slice(0, -1)) {
    const weekday = DateTime.fromMillis(start, { zone: period.zone }).weekday;
    const dayEntries = (byDay.get(date) ?? []).sort(byTimeThenId);
    if (weekday === 1) weeks.push([]);
    weeks.at(-1)!.push({
      date,
      inPeriod: period.view === 'week' || date.startsWith(month),
      today: date === today,
      entries: dayEntries,
      shown: dayEntries.slice(0, ENTRIES_PER_DAY),
      more: Math.max(0, dayEntries.length - ENTRIES_PER_DAY),
    });
  }
  return { ...period, weeks };
}
