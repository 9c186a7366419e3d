import type { FastifyInstance } from 'fastify';
import { checkAccounts } from '../../app/account-checks.js';
import { PLATFORMS } from '../../channels/platforms.js';
import { listAccounts } from '../../store/accounts.js';
import { plainDate } from '../../domain/plain-time.js';
import type { WebDeps } from './deps.js';
import { redirectWith, sendPage } from './render.js';
import { needs } from '../route-access.js';
import { releasedByTryAgain } from '../../domain/account-hold.js';
import { formatUsd } from '../../channels/twitter/cost.js';
import { xSpendSummary } from '../routes/x-spend.js';
import { isConnectable } from '../../channels/connect/platforms.js';
import { listConnectedAccounts } from '../../store/connected-accounts.js';
import { redirectUriFor } from '../../app/connect.js';

/** Channel accounts, their state and last check; admins can check them all now. */
export function channelPages(app: FastifyInstance, deps: WebDeps): void {
  app.get('/channels', needs('channels:read'), async (request, reply) => {
    await deps.ctx.refreshConnected();
    const accounts = (await listAccounts(deps.ctx.store.db)).filter((a) => deps.ctx.channels.has(a.id));
    const instances = new Map((await listConnectedAccounts(deps.ctx.store.db)).map((c) => [c.id, c.apiUrl]));
    const now = new Date();
    const spend = await xSpendTexts(deps, now);
    return sendPage(deps, request, reply, 'channels', {
      title: deps.views.t('channels.title'),
      accounts: accounts.map((a) => ({
        id: a.id,
        name: a.name,
        platform: PLATFORMS[a.platform].displayName,
        mode: deps.views.t(`channels.mode.${a.mode}`),
        dryRun: a.mode === 'dry-run',
        ok: a.state === 'ok',
        held: releasedByTryAgain(a.state),
        spend: spend.get(a.id) ?? null,
        state: deps.views.t(`channels.state.${a.state}`),
        reason: a.stateReason,
        lastCheckedAt: a.lastCheckedAt,
        token: tokenExpiry(deps, deps.ctx.channels.get(a.id)?.channel.tokenExpiresAt?.() ?? null, now),
        connected: deps.ctx.channels.isConnected(a.id),
        reconnect: deps.ctx.channels.isConnected(a.id) && isConnectable(a.platform) ? a.platform : null,
        instance: instances.get(a.id) ?? null,
      })),
      connect: {
        twitterReady: Boolean(deps.ctx.config.connect.twitter.clientId),
        twitterRedirect: redirectUriFor(deps.ctx, 'twitter'),
        mastodonRedirect: redirectUriFor(deps.ctx, 'mastodon'),
      },
    });
  });

  app.post('/channels/check', needs('channels:write'), async (request, reply) => {
    const results = await checkAccounts(deps.ctx);
    const failing = results.filter((r) => !r.ok).length;
    return redirectWith(
      deps,
      request,
      reply,
      '/channels',
      failing === 0
        ? { kind: 'ok', key: 'channels.checkedOk', params: { count: results.length } }
        : { kind: 'error', key: 'channels.checkedFailing', params: { count: failing } },
    );
  });
}

/** "This month on X: $0.43 (budget $10.00 for all X accounts)" per X account, from Herald's own records. */
async function xSpendTexts(deps: WebDeps, now: Date): Promise<Map<string, string>> {
  const summary = await xSpendSummary(deps.ctx, now);
  const budget = summary.monthlyBudgetUsd;
  return new Map(
    Object.entries(summary.accounts).map(([id, usd]) => [
      id,
      budget === null
        ? deps.views.t('channels.spend', { usd: formatUsd(usd) })
        : deps.views.t('channels.spendBudget', {
            usd: formatUsd(usd),
            total: formatUsd(summary.totalUsd),
            budget: formatUsd(budget),
          }),
    ]),
  );
}

/** "Token expires in 12 days (5 February 2027)", or that it expired; null when the expiry is not known. */
function tokenExpiry(
  deps: WebDeps,
  expiresAt: Date | null,
  now: Date,
): { text: string; soon: boolean } | null {
  if (!expiresAt) return null;
  const days = Math.ceil((expiresAt.getTime() - now.getTime()) / 86_400_000);
  const date = plainDate(expiresAt);
  if (days <= 0) return { text: deps.views.t('channels.tokenExpired', { date }), soon: true };
  return { text: deps.views.t('channels.tokenExpires', { count: days, date }), soon: days <= 7 };
}
