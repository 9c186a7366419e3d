import { describe, expect, it } from 'vitest';
import { formatInZone, parsePublishTime } from '../../../src/domain/schedule.js';

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

  it('across the autumn DST change: the repeated hour takes its first occurrence', () => {
    expect(parsePublishTime('2026-10-25T02:30', 'Europe/Paris').at).toBe('2026-10-25T00:30:00.000Z');
    expect(parsePublishTime('2026-10-25T03:30', 'Europe/Paris').at).toBe('2026-10-25T02:30:00.000Z');
  });

  it('a day scheduled across the change keeps its local time', () => {
    const before = parsePublishTime('2026-10-24T09:00', 'Europe/Paris').at;
    const after = parsePublishTime('2026-10-26T09:00', 'Europe/Paris').at;
    expect(Date.parse(after) - Date.parse(before)).toBe(49 * 3600_000);
    expect(formatInZone(after, 'Europe/Paris')).toBe('2026-10-26 09:00 GMT+1');
  });

  it('rejects bad input with the field named', () => {
    expect(() => parsePublishTime('tomorrow', 'Europe/Paris')).toThrow(/at: must be an ISO-8601 date-time/);
    expect(() => parsePublishTime('2026-02-30T09:00', 'Europe/Paris')).toThrow(/at: must be an ISO-8601/);
    expect(() => parsePublishTime('2026-12-03T09:30', 'Europe/Atlantis')).toThrow(
      /timezone: "Europe\/Atlantis" is not an IANA time zone/,
    );
  });
});
