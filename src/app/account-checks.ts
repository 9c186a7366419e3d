import type { Context } from './context.js';
import { listAccounts, setAccountState } from '../store/accounts.js';
import { holdsDeliveries } from '../domain/account-hold.js';
import { releaseHeldAccount } from './account-hold.js';
import { recordAudit } from '../store/audit.js';

export interface AccountCheckResult {
  accountId: string;
  platform: string;
  mode: string;
  ok: boolean;
  reason: string | null;
}

/**
 * Verifies every account's credentials now; marks failing ones `needs_reconnect` with the reason. An account on
 * hold (e.g. `needs_credits`) whose check passes tries again: its held posts are released (the daily check).
 */
export async function checkAccounts(
  ctx: Pick<Context, 'channels' | 'store' | 'queues' | 'log'>,
): Promise<AccountCheckResult[]> {
  const results: AccountCheckResult[] = [];
  const stored = new Map((await listAccounts(ctx.store.db)).map((a) => [a.id, a.state]));
  for (const account of ctx.channels.accounts()) {
    const { channel } = ctx.channels.get(account.id)!;
    let ok = true;
    let reason: string | null = null;
    try {
      const check = channel.check ? await channel.check(account) : { ok: true, reason: null };
      ok = check.ok;
      reason = check.reason;
    } catch (error) {
      const problem = channel.classifyError(error);
      // Only a refusal of our credentials means "reconnect"; a network blip is not the account's fault.
      ok = problem.kind !== 'auth';
      reason = problem.message;
    }
    const state = stored.get(account.id);
    if (ok && state && holdsDeliveries(state)) await releaseHeldAccount(ctx, account.id, 'checker');
    else await setAccountState(ctx.store.db, account.id, ok ? 'ok' : 'needs_reconnect', ok ? null : reason);
    if (!ok)
      await recordAudit(ctx.store.db, {
        actor: 'checker',
        action: 'account_needs_reconnect',
        subjectType: 'account',
        subjectId: account.id,
        details: { reason },
      });
    results.push({ accountId: account.id, platform: account.platform, mode: account.mode, ok, reason });
  }
  return results;
}
