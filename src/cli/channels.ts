import type { Context } from '../app/context.js';
import { listAccounts } from '../store/accounts.js';

/** `herald channels list`: each configured account, live or dry-run, and whether it needs reconnecting. */
export async function printChannels(ctx: Pick<Context, 'channels' | 'store'>, json: boolean): Promise<void> {
  const stored = new Map((await listAccounts(ctx.store.db)).map((a) => [a.id, a]));
  const rows = ctx.channels.accounts().map((a) => {
    const s = stored.get(a.id);
    return {
      id: a.id,
      platform: a.platform,
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
    console.log(`${r.id.padEnd(16)} ${r.platform.padEnd(9)} ${r.mode.padEnd(8)} ${state}`);
  }
  if (rows.some((r) => r.state !== 'ok'))
    console.log(
      'After reconnecting an account (new credentials), run `herald channels check` to clear its state.',
    );
}
