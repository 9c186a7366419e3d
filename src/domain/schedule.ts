import { DateTime, IANAZone } from 'luxon';
import { ValidationError } from './errors.js';

export interface PublishTime {
  /** The instant, ISO-8601 UTC. */
  at: string;
  /** The IANA zone the time was chosen in (shown back to people in that zone). */
  timezone: string;
}

export function isTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

const HAS_OFFSET = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Reads "when to publish". `at` is ISO-8601, either with an offset (an instant) or without one (a wall
 * clock time read in `timezone`). A wall-clock time that does not exist in the zone (skipped by a DST
 * change) is rejected rather than silently moved; an ambiguous one (repeated hour) takes the earlier instant.
 */
export function parsePublishTime(at: string, timezone: string, field = 'at'): PublishTime {
  if (!isTimeZone(timezone)) {
    throw new ValidationError({ timezone: `"${timezone}" is not an IANA time zone such as "Europe/Paris"` });
  }
  const trimmed = at.trim();
  if (HAS_OFFSET.test(trimmed)) {
    const instant = DateTime.fromISO(trimmed, { setZone: true });
    if (!instant.isValid)
      throw new ValidationError({ [field]: 'must be an ISO-8601 date-time, e.g. 2026-12-03T09:30' });
    return { at: instant.toUTC().toISO()!, timezone };
  }
  const local = DateTime.fromISO(trimmed, { zone: timezone });
  if (!local.isValid || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(trimmed)) {
    throw new ValidationError({ [field]: 'must be an ISO-8601 date-time, e.g. 2026-12-03T09:30' });
  }
  const wall = DateTime.fromISO(trimmed, { zone: 'UTC' });
  if (local.hour !== wall.hour || local.minute !== wall.minute || local.day !== wall.day) {
    throw new ValidationError({
      [field]: `${trimmed} does not exist in ${timezone} (the clocks skip that hour); choose another time`,
    });
  }
  return { at: earliestInstant(local).toUTC().toISO()!, timezone };
}

/** In a repeated hour (clocks going back) luxon may pick either offset; prefer the first occurrence. */
function earliestInstant(local: DateTime): DateTime {
  const hourEarlier = local.minus({ hours: 1 });
  if (hourEarlier.hour === local.hour && hourEarlier.minute === local.minute) return hourEarlier;
  return local;
}

/** Shows an instant as wall-clock time in a zone, e.g. "2026-12-03 09:30 CET". */
export function formatInZone(isoUtc: string, timezone: string): string {
  return DateTime.fromISO(isoUtc, { zone: 'UTC' }).setZone(timezone).toFormat('yyyy-LL-dd HH:mm ZZZZ');
}

/** A time this far in the past is most likely a mistake, not "now". */
const PAST_TOLERANCE_MS = 5 * 60_000;

/** Whether a requested time means now (not in the future) or later; refuses one too far in the past. */
export function whenToRun(at: string, now = Date.now()): 'now' | 'later' {
  const t = Date.parse(at);
  if (t < now - PAST_TOLERANCE_MS) throw new ValidationError({ at: 'is in the past' });
  return t <= now ? 'now' : 'later';
}
