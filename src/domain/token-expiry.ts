/** When Herald warns about a token that will expire: a week ahead, and again on the day (or once expired). */
export type ExpiryStage = 'week' | 'day';

const DAY_MS = 86_400_000;
export const EXPIRY_WARNING_DAYS = 7;

/** Whole days left before `expiresAt` (0 in its last 24 hours, negative once expired). */
export const daysLeft = (expiresAt: Date, now: Date): number =>
  Math.floor((expiresAt.getTime() - now.getTime()) / DAY_MS);

/** The warning due now, or null while the expiry is more than a week away. */
export function expiryStage(expiresAt: Date, now: Date): ExpiryStage | null {
  const days = daysLeft(expiresAt, now);
  if (days <= 0) return 'day';
  return days <= EXPIRY_WARNING_DAYS ? 'week' : null;
}
