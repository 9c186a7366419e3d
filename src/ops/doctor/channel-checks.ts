import type { Context } from '../../app/context.js';
import type { AccountConfig } from '../../domain/platform.js';
import { accountsFromConfig } from '../../config/accounts.js';
import { listAccounts } from '../../store/accounts.js';
import { fail, ok, warn, type CheckResult } from './result.js';

const WEEK_MS = 7 * 24 * 3600_000;

/**
 * Every account: dry-run ones say so; live ones are asked now whether the platform accepts their token (read
 * only: unlike `herald channels check`, nothing is marked), and a token with a stated expiry is looked at.
 */
export async function checkChannels(
  ctx: Pick<Context, 'channels' | 'store' | 'config'>,
  now: () => number,
): Promise<CheckResult[]> {
  const stored = new Map((await listAccounts(ctx.store.db)).map((a) => [a.id, a]));
  const configured = new Map(accountsFromConfig(ctx.config).map((a) => [a.id, a]));
  const results: CheckResult[] = [];
  for (const account of ctx.channels.accounts()) {
    const name = `channel ${account.id}`;
    if (account.mode === 'dry-run') {
      results.push(
        ok(
          name,
          `${account.name}: dry-run (posts are recorded, not sent; add credentials to go live, see docs/social.md)`,
        ),
      );
      continue;
    }
    const { channel } = ctx.channels.get(account.id)!;
    const verdict = channel.check
      ? await channel
          .check(account)
          .catch((e: Error) => ({ ok: false, reason: `the platform could not be reached: ${e.message}` }))
      : { ok: true, reason: null };
    const reconnect =
      'reconnect the account (new credentials in the configuration or the secrets file), then `herald channels check`';
    if (!verdict.ok) {
      results.push(fail(name, `${account.name}: ${verdict.reason}`, reconnect));
      continue;
    }
    const state = stored.get(account.id);
    if (state?.state === 'needs_reconnect') {
      results.push(
        warn(
          name,
          `${account.name}: the token works now, but the account is marked "needs reconnect" (${state.stateReason ?? 'no reason kept'})`,
          'run `herald channels check` to clear the mark',
        ),
      );
      continue;
    }
    results.push(expiryResult(name, account.name, configured.get(account.id), now()));
  }
  return results;
}

function expiryResult(
  name: string,
  label: string,
  config: AccountConfig | undefined,
  now: number,
): CheckResult {
  const credentials = config?.credentials ?? {};
  const expiresAt = credentials.expiresAt ? Date.parse(credentials.expiresAt) : NaN;
  if (Number.isNaN(expiresAt) || credentials.refreshToken) {
    const renewal = credentials.refreshToken ? '; its access token is renewed automatically' : '';
    return ok(name, `${label}: the platform accepts the token${renewal}`);
  }
  const when = new Date(expiresAt).toISOString().slice(0, 10);
  if (expiresAt <= now)
    return fail(name, `${label}: the token expired on ${when}`, 'reconnect the account with a new token');
  if (expiresAt - now < WEEK_MS)
    return warn(
      name,
      `${label}: the token expires on ${when}`,
      'reconnect the account with a new token before then',
    );
  return ok(name, `${label}: the platform accepts the token (it expires on ${when})`);
}
