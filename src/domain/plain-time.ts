const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "14:05 UTC", or "14:05 UTC on 3 December" when not today (UTC). */
export function plainUtcTime(at: Date, now: Date): string {
  const time = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')} UTC`;
  const sameDay = at.toISOString().slice(0, 10) === now.toISOString().slice(0, 10);
  return sameDay ? time : `${time} on ${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]}`;
}

/** "3 December 2026" */
export function plainDate(at: Date): string {
  return `${at.getUTCDate()} ${MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()}`;
}

/** A retry instant that is not in the past (clocks differ) nor absurdly far (a bad header). */
export function saneRetryAt(at: Date | null, now: Date, fallbackMs: number): Date {
  const min = now.getTime() + 1_000;
  const max = now.getTime() + 25 * 3_600_000;
  if (!at || Number.isNaN(at.getTime()) || at.getTime() > max) return new Date(now.getTime() + fallbackMs);
  return new Date(Math.max(at.getTime(), min));
}
