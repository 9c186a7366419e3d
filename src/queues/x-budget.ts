import type { ErrorClass } from '../domain/delivery-outcome.js';
import type { Delivery } from '../domain/delivery.js';
import { budgetApproved } from '../domain/account-hold.js';
import type { ChannelRegistry } from '../channels/registry.js';
import { postedTweetIds } from '../channels/twitter/adapter.js';
import { addUsd, formatUsd, xPostCost } from '../channels/twitter/cost.js';
import { totalUsd, xMonthSpend } from '../channels/twitter/spend.js';
import type { TwitterRules } from '../config/platform-rules.js';
import type { Store } from '../store/db.js';

/** The live X accounts: the ones whose posts X charges for. */
export function paidXAccounts(channels: ChannelRegistry): string[] {
  return channels
    .accounts()
    .filter((a) => a.platform === 'twitter' && a.mode === 'live')
    .map((a) => a.id);
}

/**
 * The hold for a post that would take this month's X spend over `twitter.monthlyBudgetUsd`, or null when it fits
 * (or no budget is set, or a person let it go anyway). Only the parts not posted yet are counted.
 */
export async function overBudget(
  deps: { store: Store; channels: ChannelRegistry; rules: TwitterRules },
  delivery: Delivery,
  parts: readonly string[],
  now: Date,
): Promise<ErrorClass | null> {
  const budget = deps.rules.monthlyBudgetUsd;
  if (budget === undefined || budgetApproved(delivery.progress)) return null;
  const remaining = parts.slice(postedTweetIds(delivery.progress).length);
  const cost = xPostCost(remaining, deps.rules.prices).usd;
  if (cost === 0) return null;
  const spent = totalUsd(
    await xMonthSpend(deps.store.db, paidXAccounts(deps.channels), deps.rules.prices, now),
  );
  const after = addUsd(spent, cost);
  if (after <= budget) return null;
  return {
    kind: 'held',
    platformCode: 'over_budget',
    message: `This post would cost ${formatUsd(cost)} on X and take this month's X spend from ${formatUsd(spent)} to ${formatUsd(after)}, over the monthly budget of ${formatUsd(budget)} (twitter.monthlyBudgetUsd). It waits: send it anyway from the item page, or raise the budget.`,
  };
}
