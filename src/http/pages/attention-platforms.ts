// "Needs attention" entries about the platforms' own rules: accounts on hold (X credits ran out), posts held by
// the monthly X budget, and API versions that end soon.
import { deliveryHold, releasedByTryAgain } from '../../domain/account-hold.js';
import { versionWarnings, type VersionInUse } from '../../domain/api-versions.js';
import { listAccounts } from '../../store/accounts.js';
import { listHeldDeliveries } from '../../store/held-deliveries.js';
import { findItem } from '../../store/items.js';
import type { AttentionEntry } from './attention.js';
import type { WebDeps } from './deps.js';

/** Accounts on hold, with how many posts wait for them. */
export async function heldAccounts(deps: WebDeps): Promise<AttentionEntry[]> {
  const db = deps.ctx.store.db;
  const held = (await listAccounts(db)).filter((a) => releasedByTryAgain(a.state));
  return Promise.all(
    held.map(async (a) => ({
      label: a.name,
      href: '/channels',
      detail: deps.views.t('dashboard.heldAccount', {
        reason: a.stateReason ?? a.state,
        count: (await listHeldDeliveries(db, { target: a.id })).length,
      }),
      error: true,
      progress: null,
    })),
  );
}

/** Posts waiting because they would go over the monthly X budget. */
export async function overBudgetPosts(deps: WebDeps): Promise<AttentionEntry[]> {
  const db = deps.ctx.store.db;
  const held = (await listHeldDeliveries(db)).filter(
    (d) => deliveryHold(d.progress)?.reason === 'over_budget',
  );
  return Promise.all(
    held.map(async (d) => ({
      label: (await findItem(db, d.itemId))?.title ?? d.itemId,
      href: `/items/${d.itemId}`,
      detail: d.lastError,
      error: true,
      progress: null,
    })),
  );
}

/** Facebook Graph and LinkedIn versions in use that end within `apiVersions.warnDays` days. */
export function endingVersions(deps: WebDeps, now: Date): AttentionEntry[] {
  const inUse: VersionInUse[] = deps.ctx.channels.accounts().flatMap((account) => {
    const { platform } = account;
    if (account.mode !== 'live' || (platform !== 'facebook' && platform !== 'linkedin')) return [];
    const version = deps.ctx.channels.get(account.id)?.channel.apiVersion?.();
    return version ? [{ accountName: account.name, platform, version }] : [];
  });
  const { warnDays, ...endDates } = deps.ctx.config.apiVersions;
  return versionWarnings(inUse, endDates, now, warnDays).map((w) => ({
    label: w.accountName,
    href: null,
    detail: deps.views.t(w.daysLeft > 0 ? 'dashboard.versionEnds' : 'dashboard.versionEnded', {
      version: w.version,
      date: w.endsOn,
      count: w.daysLeft,
      setting: w.platform === 'facebook' ? 'FACEBOOK_GRAPH_URL' : 'LINKEDIN_VERSION',
    }),
    error: w.daysLeft <= 0,
    progress: null,
  }));
}
