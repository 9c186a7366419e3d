import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { deliveryProgressSince } from '../../store/spend-records.js';
import { fromMicros, usageCost, xUsageOf, type XPrices } from './cost.js';

/** The first instant of `now`'s month, UTC. */
export function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/**
 * This month's X spend per account, in US dollars, from Herald's own records: the posts its deliveries created
 * and the posts its look-ups read, at the configured prices. A delivery counts in the month it last changed.
 */
export async function xMonthSpend(
  db: Kysely<Database>,
  accountIds: readonly string[],
  prices: XPrices,
  now: Date,
): Promise<Map<string, number>> {
  const spend = new Map<string, number>(accountIds.map((id) => [id, 0]));
  const rows = await deliveryProgressSince(db, accountIds, monthStart(now).toISOString());
  for (const { target, progress } of rows) {
    const micros = Math.round(usageCost(xUsageOf(progress), prices) * 1_000_000);
    spend.set(target, fromMicros(Math.round((spend.get(target) ?? 0) * 1_000_000) + micros));
  }
  return spend;
}

export const totalUsd = (spend: Map<string, number>): number =>
  fromMicros([...spend.values()].reduce((sum, usd) => sum + Math.round(usd * 1_000_000), 0));
