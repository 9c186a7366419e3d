import type { Context } from '../../app/context.js';
import { totalUsd, monthStart, xMonthSpend } from '../../channels/twitter/spend.js';

/** This month's X spend from Herald's own records, per X account and in all, with the budget when set. */
export async function xSpendSummary(ctx: Pick<Context, 'channels' | 'store' | 'config'>, now: Date) {
  const ids = ctx.channels
    .accounts()
    .filter((a) => a.platform === 'twitter')
    .map((a) => a.id);
  const { prices, monthlyBudgetUsd } = ctx.config.twitter;
  const spend = await xMonthSpend(ctx.store.db, ids, prices, now);
  return {
    since: monthStart(now).toISOString(),
    accounts: Object.fromEntries(spend),
    totalUsd: totalUsd(spend),
    monthlyBudgetUsd: monthlyBudgetUsd ?? null,
    prices,
  };
}
