import type { Context } from '../app/context.js';
import type { AccountCheckResult } from '../app/account-checks.js';
import { platformName, platformRows } from '../channels/platforms.js';
import { listAccounts } from '../store/accounts.js';

const NAME_WIDTH = Math.max(...platformRows().map((p) => p.displayName.length));

/** One account per line: id, platform, live or dry-run, state. */
function accountLine(id: string, platform: string, mode: string, state: string): string {
  return `${id.padEnd(16)} ${platformName(platform).padEnd(NAME_WIDTH)} ${mode.padEnd(8)} ${state}`;
}

/** `herald channels check`: one line per account verified now. */
export function printChecks(results: readonly AccountCheckResult[]): void {
  for (const r of results)
    console.log(accountLine(r.accountId, r.platform, r.mode, r.ok ? 'ok' : `NEEDS RECONNECT: ${r.reason}`));
}

/** `herald channels list`: each configured account, live or dry-run, and whether it needs reconnecting. */
export async function printChannels(ctx: Pick<Context, 'channels' | 'store'>, json: boolean): Promise<void> {
  const stored = new Map((await listAccounts(ctx.store.db)).map((a) => [a.id, a]));
  const rows = ctx.channels.accounts().map((a) => {
    const s = stored.get(a.id);
    return {
      id: a.id,
      platform: a.platform,
      platformName: platformName(a.platform),
      name: a.name,
      mode: a.mode,
      state: s?.state ?? 'ok',
      reason: s?.stateReason ?? null,
      lastCheckedAt: s?.lastCheckedAt ?? null,
    };
  });
  if (json) {
    console.log(JSON.stringify({ accounts: rows }, null, 2));
    return;
  }
  for (const r of rows) {
    const state = r.state === 'ok' ? 'ok' : `NEEDS RECONNECT: ${r.reason ?? 'its credentials were refused'}`;
    console.log(accountLine(r.id, r.platform, r.mode, state));
  }
  if (rows.some((r) => r.state !== 'ok'))
    console.log(
      'After reconnecting an account (new credentials), run `herald channels check` to clear its state.',
    );
}
