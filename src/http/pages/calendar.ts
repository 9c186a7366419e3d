import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import {
  calendarFeedUrl,
  calendarGrid,
  regenerateCalendarFeed,
  rescheduleFromCalendar,
  revokeCalendarFeedFor,
} from '../../app/calendar.js';
import {
  isCalendarView,
  parseCalendarDate,
  type CalendarDay,
  type CalendarFilters,
  type CalendarGrid,
  type CalendarView,
  type PlacedEntry,
} from '../../domain/calendar.js';
import { ValidationError } from '../../domain/errors.js';
import { formatInZone } from '../../domain/schedule.js';
import { listAccounts } from '../../store/accounts.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';
import { scheduleRefusal } from './item-actions.js';
import { redirectWith, sendPage } from './render.js';
import type { Views } from './views.js';
import { needs } from '../route-access.js';

const STATES = ['scheduled', 'published', 'sending', 'paused', 'sent'] as const;
const FILTERS = ['channel', 'tag', 'language', 'state'] as const;

interface CalendarQuery {
  view: CalendarView;
  date: string;
  filters: CalendarFilters;
}

function readQuery(request: FastifyRequest, zone: string): CalendarQuery {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string).trim() : '');
  const view = text('view') || 'month';
  if (!isCalendarView(view)) throw new ValidationError({ view: 'must be "month" or "week"' });
  const date = text('date') || DateTime.now().setZone(zone).toISODate()!;
  parseCalendarDate(date, zone);
  const filters: CalendarFilters = {};
  for (const name of FILTERS) if (text(name)) filters[name] = text(name).slice(0, 100);
  return { view, date, filters };
}

/** A calendar address keeping the filters: `/calendar?view=week&date=...&tag=...`. */
export function calendarHref(view: CalendarView, date: string, filters: CalendarFilters = {}): string {
  const params = new URLSearchParams({ view, date });
  for (const name of FILTERS) if (filters[name]) params.set(name, filters[name]!);
  return `/calendar?${params.toString()}`;
}

function entryView(views: Views, entry: PlacedEntry) {
  return {
    id: entry.id,
    title: entry.title,
    clock: entry.time,
    at: entry.at,
    state: entry.state,
    stateLabel: views.t(`calendar.state.${entry.state}`),
    kindLabel: entry.kind === 'newsletter' ? views.t('calendar.newsletter') : '',
    href: entry.kind === 'item' ? `/items/${entry.id}` : `/newsletters/${entry.id}`,
    movable: entry.movable,
  };
}

function dayView(views: Views, grid: CalendarGrid, day: CalendarDay, filters: CalendarFilters) {
  const date = DateTime.fromISO(day.date).setLocale(views.i18n.language);
  const entries = grid.view === 'month' ? day.shown : day.entries;
  return {
    date: day.date,
    number: date.day,
    label: date.toFormat('cccc d LLLL'),
    inPeriod: day.inPeriod,
    today: day.today,
    empty: day.entries.length === 0,
    entries: entries.map((e) => entryView(views, e)),
    more: grid.view === 'month' ? day.more : 0,
    moreHref: `${calendarHref('week', day.date, filters)}#d-${day.date}`,
  };
}

function heading(views: Views, grid: CalendarGrid): string {
  const anchor = DateTime.fromISO(grid.anchor).setLocale(views.i18n.language);
  if (grid.view === 'month') return anchor.toFormat('LLLL yyyy');
  const first = DateTime.fromISO(grid.firstDay).setLocale(views.i18n.language);
  return views.t('calendar.weekOf', { date: first.toFormat('d LLLL yyyy') });
}

async function calendarPage(deps: WebDeps, request: FastifyRequest) {
  const user = request.signedIn!.user;
  const zone = user.timezone ?? deps.ctx.config.timezone;
  const { view, date, filters } = readQuery(request, zone);
  const db = deps.ctx.store.db;
  const [{ grid, ...choices }, accounts, feedUrl] = await Promise.all([
    calendarGrid(deps.ctx, view, date, zone, filters),
    listAccounts(db),
    calendarFeedUrl(deps.ctx, user.id),
  ]);
  // A chosen value stays choosable even when this period has none of it.
  const withChosen = (values: string[], chosen: string | undefined) =>
    chosen && !values.includes(chosen) ? [...values, chosen] : values;
  const views = deps.views;
  const option =
    (name: keyof CalendarFilters) =>
    (value: string, label = value) => ({ value, label, selected: filters[name] === value });
  const monday = DateTime.fromISO(grid.firstDay).setLocale(views.i18n.language);
  return {
    title: views.t('calendar.title'),
    heading: heading(views, grid),
    view,
    anchor: grid.anchor,
    isMonth: view === 'month',
    filters,
    links: {
      previous: calendarHref(view, grid.previous, filters),
      next: calendarHref(view, grid.next, filters),
      today: calendarHref(view, DateTime.now().setZone(zone).toISODate()!, filters),
      month: calendarHref('month', grid.anchor, filters),
      week: calendarHref('week', grid.anchor, filters),
    },
    weekdays: [0, 1, 2, 3, 4, 5, 6].map((i) => monday.plus({ days: i }).toFormat('ccc')),
    weeks: grid.weeks.map((week) => week.map((day) => dayView(views, grid, day, filters))),
    choices: {
      channels: accounts.map((a) => option('channel')(a.id, a.name)),
      tags: withChosen(choices.tags, filters.tag).map((t) => option('tag')(t)),
      languages: withChosen(choices.languages, filters.language).map((l) => option('language')(l)),
      states: STATES.map((s) => option('state')(s, views.t(`calendar.state.${s}`))),
    },
    feedUrl,
    back: request.url,
    scripts: ['calendar.js'],
  };
}

/** Where a calendar form returns to: a calendar address only. */
function backTo(form: FormBody): string {
  const back = one(form, 'back');
  return back.startsWith('/calendar?') || back === '/calendar' ? back : '/calendar';
}

export function calendarPages(app: FastifyInstance, deps: WebDeps): void {
  app.get('/calendar', needs('items:read'), async (request, reply) =>
    sendPage(deps, request, reply, 'calendar', await calendarPage(deps, request)),
  );

  app.post('/calendar/feed', needs('items:read'), async (request, reply) => {
    await regenerateCalendarFeed(deps.ctx, request.signedIn!.user.id);
    return redirectWith(deps, request, reply, backTo((request.body ?? {}) as FormBody), {
      kind: 'ok',
      key: 'calendar.feedCreated',
    });
  });

  app.post('/calendar/feed/revoke', needs('items:read'), async (request, reply) => {
    await revokeCalendarFeedFor(deps.ctx, request.signedIn!.user.id);
    return redirectWith(deps, request, reply, backTo((request.body ?? {}) as FormBody), {
      kind: 'ok',
      key: 'calendar.feedRevoked',
    });
  });

  // The drag-and-drop's confirmation form (calendar.js): a scheduled item to another day and time.
  app.post('/calendar/move', needs('review:write'), async (request, reply) => {
    const form = (request.body ?? {}) as FormBody;
    const back = backTo(form);
    const zone = request.signedIn!.user.timezone ?? deps.ctx.config.timezone;
    try {
      const at = `${one(form, 'date').trim()}T${one(form, 'time').trim()}`;
      const outcome = await rescheduleFromCalendar(
        deps.ctx,
        one(form, 'itemId').trim(),
        at,
        zone,
        request.actor,
      );
      return redirectWith(deps, request, reply, back, {
        kind: 'ok',
        key: 'flash.scheduled',
        params: { when: formatInZone(outcome.item.publishAt!, zone) },
      });
    } catch (error) {
      return redirectWith(deps, request, reply, back, scheduleRefusal(deps, error));
    }
  });
}
