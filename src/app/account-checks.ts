import type { Context } from './context.js';
import { findAccount, setAccountState } from '../store/accounts.js';
import { releaseHeldDeliveries } from './held-deliveries.js';
import { recordAudit } from '../store/audit.js';

export interface AccountCheckResult {
  accountId: string;
  platform: string;
  mode: string;
  ok: boolean;
  reason: string | null;
}

/** Verifies every account's credentials now; marks failing ones `needs_reconnect` with the reason. */
export async function checkAccounts(
  ctx: Pick<Context, 'channels' | 'store' | 'queues' | 'gate'>,
): Promise<AccountCheckResult[]> {
  const results: AccountCheckResult[] = [];
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
    const before = await findAccount(ctx.store.db, account.id);
    await setAccountState(ctx.store.db, account.id, ok ? 'ok' : 'needs_reconnect', ok ? null : reason);
    // Working again (a token renewed in the configuration): the posts held for it go out now.
    if (ok && before?.state === 'needs_reconnect') await releaseHeldDeliveries(ctx, account.id);
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
