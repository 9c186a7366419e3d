import type { Context } from '../app/context.js';
import { countDeliveriesByStatus, listFailedDeliveries } from '../store/deliveries.js';
import { countItemsByStatus } from '../store/items.js';
import { listAccounts, type StoredAccount } from '../store/accounts.js';
import { platformName } from '../channels/platforms.js';
import { feedStatus, printFeedStatus } from './status-feed.js';
import { newsletterStatus, printNewsletterStatus } from './status-newsletter.js';

/** `herald status`: what is queued, what failed and why, which accounts need attention. */
export async function printStatus(ctx: Context, json: boolean): Promise<void> {
  const [queues, deliveries, items, failed, accounts, feeds, newsletters] = await Promise.all([
    ctx.queues.counts().catch((e: Error) => ({ error: `Redis not reachable: ${e.message}` })),
    countDeliveriesByStatus(ctx.store.db),
    countItemsByStatus(ctx.store.db),
    listFailedDeliveries(ctx.store.db, 20),
    listAccounts(ctx.store.db),
    feedStatus(ctx),
    newsletterStatus(ctx),
  ]);
  if (json) {
    console.log(
      JSON.stringify({ queues, deliveries, items, failed, accounts, ...feeds, ...newsletters }, null, 2),
    );
    return;
  }
  console.log('Queues (waiting/active/delayed/failed):');
  if ('error' in queues) console.log(`  ${queues.error}`);
  else
    for (const [name, c] of Object.entries(queues))
      console.log(
        `  ${name.padEnd(12)} ${c.waiting ?? 0}/${c.active ?? 0}/${c.delayed ?? 0}/${c.failed ?? 0}`,
      );
  console.log(`Items: ${fmt(items)}`);
  console.log(`Deliveries: ${fmt(deliveries)}`);
  printAccounts(accounts);
  console.log(failed.length ? 'Failed deliveries:' : 'No failed deliveries.');
  for (const d of failed) console.log(`  ${d.id}  ${d.itemId}  ${d.target}  ${d.errorKind}: ${d.lastError}`);
  printFeedStatus(feeds);
  printNewsletterStatus(newsletters);
}

/** One line per account, its platform by the name people know it by (the platform table's). */
function printAccounts(accounts: StoredAccount[]): void {
  console.log('Accounts:');
  const width = Math.max(9, ...accounts.map((a) => platformName(a.platform).length));
  for (const a of accounts)
    console.log(
      `  ${a.id.padEnd(16)} ${platformName(a.platform).padEnd(width)} ${a.mode.padEnd(8)} ${a.state}${a.stateReason ? `: ${a.stateReason}` : ''}`,
    );
}

const fmt = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';
