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
const WALL_CLOCK = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const DAY_MS = 86_400_000;

/**
 * Reads "when to publish". `at` is ISO-8601, either with an offset (an instant) or without one (a wall
 * clock time read in `timezone`). A wall-clock time that does not exist in the zone (skipped by a DST
 * change) is refused rather than silently moved; one that happens twice (the repeated hour when the
 * clocks go back) is refused too, naming both instants, so the person says which one they mean.
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
  const instants = wallClockInstants(trimmed, timezone);
  if (instants === null) {
    throw new ValidationError({ [field]: 'must be an ISO-8601 date-time, e.g. 2026-12-03T09:30' });
  }
  if (instants.length === 0) {
    throw new ValidationError({
      [field]: `${trimmed} does not exist in ${timezone} (the clocks skip that hour); choose another time`,
    });
  }
  if (instants.length > 1) {
    const [first, second] = instants.map((i) => withOffset(i, timezone));
    throw new ValidationError({
      [field]: `${trimmed} happens twice in ${timezone} (the clocks go back); give the offset: ${first} for the first or ${second} for the second`,
    });
  }
  return { at: instants[0]!.toUTC().toISO()!, timezone };
}

/**
 * The instants a wall-clock time names in a zone: none in a skipped hour, two in a repeated hour, one
 * otherwise; null when it is not a date-time.
 */
function wallClockInstants(wallClock: string, timezone: string): DateTime[] | null {
  const wall = DateTime.fromISO(wallClock, { zone: 'UTC' });
  if (!wall.isValid || !WALL_CLOCK.test(wallClock)) return null;
  const zone = IANAZone.create(timezone);
  const wallMs = wall.toMillis();
  const offsets = new Set([wallMs - DAY_MS, wallMs, wallMs + DAY_MS].map((t) => zone.offset(t)));
  const instants = [...offsets]
    .map((offset) => wallMs - offset * 60_000)
    .filter((t) => zone.offset(t) === (wallMs - t) / 60_000)
    .sort((a, b) => a - b);
  return instants.map((t) => DateTime.fromMillis(t, { zone: timezone }));
}

/** "2027-10-31T02:30+02:00": a wall-clock time with the offset that makes it one instant. */
const withOffset = (instant: DateTime, timezone: string) =>
  instant
    .setZone(timezone)
    .toISO({ suppressSeconds: true, suppressMilliseconds: true, includeOffset: true })!;

/**
 * When a wall-clock time falls in the repeated hour of a DST change, its two instants (with offsets,
 * earlier first), for a form to ask which one is meant; null otherwise.
 */
export function repeatedWallClock(wallClock: string, timezone: string): [string, string] | null {
  if (!isTimeZone(timezone) || HAS_OFFSET.test(wallClock.trim())) return null;
  const instants = wallClockInstants(wallClock.trim(), timezone);
  if (instants?.length !== 2) return null;
  return [withOffset(instants[0]!, timezone), withOffset(instants[1]!, timezone)];
}

/** An instant as the `datetime-local` value of a form field in a zone ("2026-12-03T09:30"). */
export function wallClockInZone(isoUtc: string, timezone: string): string {
  return DateTime.fromISO(isoUtc, { zone: 'UTC' }).setZone(timezone).toFormat("yyyy-LL-dd'T'HH:mm");
}

/**
 * Shows an instant as wall-clock time with the zone's IANA name, e.g. "2026-12-03 09:30 Europe/Brussels";
 * in the repeated hour of a DST change the offset is added, since the wall-clock time alone names two instants.
 */
export function formatInZone(isoUtc: string, timezone: string): string {
  const local = DateTime.fromISO(isoUtc, { zone: 'UTC' }).setZone(timezone);
  const text = `${local.toFormat('yyyy-LL-dd HH:mm')} ${timezone}`;
  const repeated = repeatedWallClock(local.toFormat("yyyy-LL-dd'T'HH:mm"), timezone);
  return repeated ? `${text} (UTC${local.toFormat('ZZ')})` : text;
}

/** A time this far in the past is most likely a mistake, not "now". */
const PAST_TOLERANCE_MS = 5 * 60_000;

/** Whether a requested time means now (not in the future) or later; refuses one too far in the past. */
export function whenToRun(at: string, now = Date.now()): 'now' | 'later' {
  const t = Date.parse(at);
  if (t < now - PAST_TOLERANCE_MS) throw new ValidationError({ at: 'is in the past' });
  return t <= now ? 'now' : 'later';
}
