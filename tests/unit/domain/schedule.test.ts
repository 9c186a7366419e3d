import { describe, expect, it } from 'vitest';
import {
  formatInZone,
  parsePublishTime,
  repeatedWallClock,
  wallClockInZone,
} from '../../../src/domain/schedule.js';

describe('publish time in a zone', () => {
  it('reads a wall-clock time in the chosen zone (winter and summer offsets)', () => {
    expect(parsePublishTime('2026-12-03T09:30', 'Europe/Paris')).toEqual({
      at: '2026-12-03T08:30:00.000Z',
      timezone: 'Europe/Paris',
    });
    expect(parsePublishTime('2026-07-03T09:30', 'Europe/Paris').at).toBe('2026-07-03T07:30:00.000Z');
    expect(parsePublishTime('2026-12-03T09:30', 'Europe/Lisbon').at).toBe('2026-12-03T09:30:00.000Z');
  });

  it('an explicit offset wins over the zone', () => {
    expect(parsePublishTime('2026-12-03T09:30:00+02:00', 'Europe/Paris').at).toBe('2026-12-03T07:30:00.000Z');
    expect(parsePublishTime('2026-12-03T09:30:00Z', 'Europe/Paris').at).toBe('2026-12-03T09:30:00.000Z');
  });

  it('across the spring DST change: the skipped hour is refused, the hours around it are exact', () => {
    expect(parsePublishTime('2027-03-28T01:59', 'Europe/Paris').at).toBe('2027-03-28T00:59:00.000Z');
    expect(() => parsePublishTime('2027-03-28T02:30', 'Europe/Paris')).toThrow(
      /does not exist in Europe\/Paris/,
    );
    expect(parsePublishTime('2027-03-28T03:00', 'Europe/Paris').at).toBe('2027-03-28T01:00:00.000Z');
  });

  it('across the autumn DST change: the repeated hour is refused naming both instants; an offset picks one', () => {
    expect(() => parsePublishTime('2027-10-31T02:30', 'Europe/Brussels')).toThrow(
      'at: 2027-10-31T02:30 happens twice in Europe/Brussels (the clocks go back); give the offset: 2027-10-31T02:30+02:00 for the first or 2027-10-31T02:30+01:00 for the second',
    );
    expect(() => parsePublishTime('2027-10-31T02:30', 'Europe/Brussels', 'publishAt')).toThrow(
      /^.*publishAt: /,
    );
    expect(parsePublishTime('2027-10-31T02:30+02:00', 'Europe/Brussels').at).toBe('2027-10-31T00:30:00.000Z');
    expect(parsePublishTime('2027-10-31T02:30+01:00', 'Europe/Brussels').at).toBe('2027-10-31T01:30:00.000Z');
    // The minutes either side of the repeated hour name one instant each.
    expect(parsePublishTime('2027-10-31T01:59', 'Europe/Brussels').at).toBe('2027-10-30T23:59:00.000Z');
    expect(parsePublishTime('2027-10-31T03:00', 'Europe/Brussels').at).toBe('2027-10-31T02:00:00.000Z');
    expect(parsePublishTime('2026-10-25T03:30', 'Europe/Paris').at).toBe('2026-10-25T02:30:00.000Z');
  });

  it('names the two instants of a repeated wall-clock time, in other zones too', () => {
    expect(repeatedWallClock('2027-10-31T02:30', 'Europe/Brussels')).toEqual([
      '2027-10-31T02:30+02:00',
      '2027-10-31T02:30+01:00',
    ]);
    expect(repeatedWallClock('2026-11-01T01:30', 'America/New_York')).toEqual([
      '2026-11-01T01:30-04:00',
      '2026-11-01T01:30-05:00',
    ]);
    // Lord Howe Island goes back by half an hour.
    expect(repeatedWallClock('2027-04-04T01:45', 'Australia/Lord_Howe')).toEqual([
      '2027-04-04T01:45+11:00',
      '2027-04-04T01:45+10:30',
    ]);
    expect(repeatedWallClock('2027-10-31T03:30', 'Europe/Brussels')).toBeNull();
    expect(repeatedWallClock('2027-03-28T02:30', 'Europe/Brussels')).toBeNull();
    expect(repeatedWallClock('2027-10-31T02:30+01:00', 'Europe/Brussels')).toBeNull();
  });

  it('shows times with the zone name, and the offset only where the wall clock names two instants', () => {
    expect(formatInZone('2026-12-03T08:30:00.000Z', 'Europe/Brussels')).toBe(
      '2026-12-03 09:30 Europe/Brussels',
    );
    expect(formatInZone('2027-10-31T00:30:00.000Z', 'Europe/Brussels')).toBe(
      '2027-10-31 02:30 Europe/Brussels (UTC+02:00)',
    );
    expect(formatInZone('2027-10-31T01:30:00.000Z', 'Europe/Brussels')).toBe(
      '2027-10-31 02:30 Europe/Brussels (UTC+01:00)',
    );
    expect(wallClockInZone('2026-12-03T08:30:00.000Z', 'Europe/Brussels')).toBe('2026-12-03T09:30');
  });

  it('a day scheduled across the change keeps its local time', () => {
    const before = parsePublishTime('2026-10-24T09:00', 'Europe/Paris').at;
    const after = parsePublishTime('2026-10-26T09:00', 'Europe/Paris').at;
    expect(Date.parse(after) - Date.parse(before)).toBe(49 * 3600_000);
    expect(formatInZone(after, 'Europe/Paris')).toBe('2026-10-26 09:00 Europe/Paris');
  });

  it('rejects bad input with the field named', () => {
    expect(() => parsePublishTime('tomorrow', 'Europe/Paris')).toThrow(/at: must be an ISO-8601 date-time/);
    expect(() => parsePublishTime('2026-02-30T09:00', 'Europe/Paris')).toThrow(/at: must be an ISO-8601/);
    expect(() => parsePublishTime('2026-12-03T09:30', 'Europe/Atlantis')).toThrow(
      /timezone: "Europe\/Atlantis" is not an IANA time zone/,
    );
  });
});
