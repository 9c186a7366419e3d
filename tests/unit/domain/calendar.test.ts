import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  buildCalendar,
  calendarPeriod,
  matchesFilters,
  type CalendarEntry,
  type CalendarGrid,
} from '../../../src/domain/calendar.js';
import { ValidationError } from '../../../src/domain/errors.js';

const entry = (id: string, at: string, over: Partial<CalendarEntry> = {}): CalendarEntry => ({
  id,
  kind: 'item',
  title: id,
  at,
  state: 'scheduled',
  channels: null,
  tags: [],
  language: 'en',
  ...over,
});

const day = (grid: CalendarGrid, date: string) => grid.weeks.flat().find((d) => d.date === date)!;
const NOW = DateTime.fromISO('2026-10-20T12:00:00Z');

describe('calendar periods', () => {
  it.each([
    // Ends with the autumn change in Paris: 7 days and 1 hour.
    [
      '2026-10-22',
      'Europe/Paris',
      {
        firstDay: '2026-10-19',
        lastDay: '2026-10-25',
        from: '2026-10-18T22:00:00.000Z',
        to: '2026-10-25T23:00:00.000Z',
        previous: '2026-10-12',
        next: '2026-10-26',
      },
    ],
    // Holds the spring change in New York: 7 days less 1 hour.
    [
      '2026-03-08',
      'America/New_York',
      {
        firstDay: '2026-03-02',
        lastDay: '2026-03-08',
        from: '2026-03-02T05:00:00.000Z',
        to: '2026-03-09T04:00:00.000Z',
      },
    ],
  ])('the week of %s in %s starts and ends at local midnights', (date, zone, expected) => {
    expect(calendarPeriod('week', date, zone)).toMatchObject(expected);
  });

  it('a month view covers whole Monday-Sunday weeks around the month', () => {
    const month = calendarPeriod('month', '2026-10-17', 'Europe/Paris');
    expect([month.firstDay, month.lastDay, month.previous, month.next]).toEqual([
      '2026-09-28',
      '2026-11-01',
      '2026-09-01',
      '2026-11-01',
    ]);
    const grid = buildCalendar(month, [], {}, NOW);
    expect(grid.weeks).toHaveLength(5);
    expect(grid.weeks.every((w) => w.length === 7)).toBe(true);
    expect(day(grid, '2026-09-30').inPeriod).toBe(false);
    expect(day(grid, '2026-10-01').inPeriod).toBe(true);
    expect(day(grid, '2026-10-20').today).toBe(true);
  });

  it('refuses a bad date or zone, naming the field', () => {
    expect(() => calendarPeriod('month', '2026-13-01', 'Europe/Paris')).toThrow(ValidationError);
    expect(() => calendarPeriod('month', 'tomorrow', 'Europe/Paris')).toThrow(/date/);
    try {
      calendarPeriod('week', '2026-10-01', 'Mars/Olympus');
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).fields).toHaveProperty('timezone');
    }
  });
});

describe('entries placed across a DST change', () => {
  it('Paris, autumn: 00:30 on the 25-hour day and on the day after land on their own local days', () => {
    const grid = buildCalendar(
      calendarPeriod('week', '2026-10-25', 'Europe/Paris'),
      [
        entry('before', '2026-10-24T22:30:00Z'), // 00:30 CEST on Sunday 25
        entry('late', '2026-10-25T22:59:00Z'), // 23:59 CET on Sunday 25
        entry('after', '2026-10-25T23:30:00Z'), // 00:30 CET on Monday 26: next week
        entry('saturday', '2026-10-24T21:30:00Z'), // 23:30 CEST on Saturday 24
      ],
      {},
      NOW,
    );
    expect(day(grid, '2026-10-25').entries.map((e) => [e.id, e.time])).toEqual([
      ['before', '00:30'],
      ['late', '23:59'],
    ]);
    expect(day(grid, '2026-10-24').entries.map((e) => [e.id, e.time])).toEqual([['saturday', '23:30']]);
    expect(
      grid.weeks
        .flat()
        .flatMap((d) => d.entries)
        .map((e) => e.id),
    ).not.toContain('after');
  });

  it('New York, autumn: the same UTC hour falls on different local days before and after the change', () => {
    const grid = buildCalendar(
      calendarPeriod('month', '2026-11-01', 'America/New_York'),
      [
        entry('edt', '2026-11-01T04:30:00Z'), // 00:30 EDT on 1 November
        entry('est', '2026-11-02T04:30:00Z'), // 23:30 EST on 1 November
        entry('oct31', '2026-11-01T03:30:00Z'), // 23:30 EDT on 31 October
      ],
      {},
      NOW,
    );
    expect(day(grid, '2026-11-01').entries.map((e) => [e.id, e.time])).toEqual([
      ['edt', '00:30'],
      ['est', '23:30'],
    ]);
    expect(day(grid, '2026-10-31').entries.map((e) => e.id)).toEqual(['oct31']);
    expect(day(grid, '2026-10-31').inPeriod).toBe(false);
  });

  it('the same instants in Paris and New York land on the days of each zone', () => {
    const entries = [entry('a', '2026-03-29T00:30:00Z'), entry('b', '2026-03-29T01:30:00Z')];
    const paris = buildCalendar(calendarPeriod('week', '2026-03-29', 'Europe/Paris'), entries, {}, NOW);
    expect(day(paris, '2026-03-29').entries.map((e) => e.time)).toEqual(['01:30', '03:30']);
    const ny = buildCalendar(calendarPeriod('week', '2026-03-28', 'America/New_York'), entries, {}, NOW);
    expect(day(ny, '2026-03-28').entries.map((e) => e.time)).toEqual(['20:30', '21:30']);
  });
});

describe('day cells and filters', () => {
  it('shows three entries, soonest first, then "+N more"', () => {
    const entries = ['T14', 'T09', 'T11', 'T08', 'T20'].map((t) => entry(t, `2026-10-21${t}:00:00Z`));
    const cell = day(
      buildCalendar(calendarPeriod('month', '2026-10-01', 'UTC'), entries, {}, NOW),
      '2026-10-21',
    );
    expect(cell.shown.map((e) => e.id)).toEqual(['T08', 'T09', 'T11']);
    expect(cell.more).toBe(2);
    expect(cell.entries).toHaveLength(5);
  });

  it('only a scheduled item is movable', () => {
    const grid = buildCalendar(
      calendarPeriod('week', '2026-10-21', 'UTC'),
      [
        entry('s', '2026-10-21T09:00:00Z'),
        entry('p', '2026-10-21T10:00:00Z', { state: 'published' }),
        entry('n', '2026-10-21T11:00:00Z', { kind: 'newsletter', state: 'scheduled', language: null }),
      ],
      {},
      NOW,
    );
    expect(day(grid, '2026-10-21').entries.map((e) => [e.id, e.movable])).toEqual([
      ['s', true],
      ['p', false],
      ['n', false],
    ]);
  });

  it('filters by channel, tag, language and state', () => {
    const all = entry('all', 'x', { channels: null, tags: ['climate'] });
    const tw = entry('tw', 'x', { channels: ['tw-main'], language: 'fr' });
    const letter = entry('nl', 'x', { kind: 'newsletter', channels: [], language: null, state: 'sent' });
    const pick = (f: Parameters<typeof matchesFilters>[1]) =>
      [all, tw, letter].filter((e) => matchesFilters(e, f)).map((e) => e.id);
    expect(pick({})).toEqual(['all', 'tw', 'nl']);
    expect(pick({ channel: 'tw-main' })).toEqual(['all', 'tw']);
    expect(pick({ channel: 'fb-main' })).toEqual(['all']);
    expect(pick({ tag: 'climate' })).toEqual(['all']);
    expect(pick({ language: 'fr' })).toEqual(['tw']);
    expect(pick({ state: 'sent' })).toEqual(['nl']);
  });
});
