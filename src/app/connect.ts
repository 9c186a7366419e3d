import type { Context } from './context.js';
import {
  authorizationUrl,
  ConnectError,
  exchangeCode,
  newAuthorization,
  revokeToken,
  type OAuthServer,
} from '../channels/connect/oauth.js';
import {
  instanceUrlFrom,
  mastodonIdentity,
  mastodonServer,
  registerMastodonApp,
  twitterIdentity,
  twitterServer,
  type ConnectablePlatform,
  type ConnectedIdentity,
} from '../channels/connect/platforms.js';
import { decryptSecret, encryptSecret } from '../channels/secrets.js';
import {
  deleteConnectedAccount,
  findOAuthApp,
  listConnectedAccounts,
  saveOAuthApp,
  saveOAuthState,
  takeOAuthState,
  upsertConnectedAccount,
  type OAuthState,
} from '../store/connected-accounts.js';
import { setAccountState } from '../store/accounts.js';
import { recordAudit } from '../store/audit.js';
import { NotFoundError } from '../domain/errors.js';
import { releaseAccountHolds } from './account-hold.js';

type ConnectContext = Pick<
  Context,
  'config' | 'store' | 'secretKey' | 'channels' | 'refreshConnected' | 'queues' | 'log'
>;

/** `HERALD_PUBLIC_URL/channels/callback/<platform>`: where the platform sends the person back. */
export const redirectUriFor = (ctx: Pick<Context, 'config'>, platform: ConnectablePlatform): string =>
  `${ctx.config.publicUrl}/channels/callback/${platform}`;

async function mastodonApp(
  ctx: ConnectContext,
  instanceUrl: string,
): Promise<{ clientId: string; clientSecret: string }> {
  const stored = await findOAuthApp(ctx.store.db, instanceUrl);
  if (stored)
    return { clientId: stored.clientId, clientSecret: decryptSecret(stored.clientSecret, ctx.secretKey) };
  const app = await registerMastodonApp(instanceUrl, {
    appName: ctx.config.connect.mastodon.appName,
    redirectUri: redirectUriFor(ctx, 'mastodon'),
    website: ctx.config.publicUrl,
  });
  await saveOAuthApp(ctx.store.db, {
    instanceUrl,
    clientId: app.clientId,
    clientSecret: encryptSecret(app.clientSecret, ctx.secretKey),
  });
  return app;
}

async function serverFor(
  ctx: ConnectContext,
  platform: ConnectablePlatform,
  instanceUrl: string | null,
): Promise<OAuthServer> {
  const allowHttp = ctx.config.allowPrivateUrls;
  if (platform === 'twitter') return twitterServer({ ...ctx.config.connect.twitter, allowHttp });
  if (!instanceUrl) throw new ConnectError('Name the Mastodon instance.', 'connect_instance_invalid');
  return mastodonServer(instanceUrl, await mastodonApp(ctx, instanceUrl), allowHttp);
}

/**
 * Starts connecting (or reconnecting `accountId`): keeps a one-time `state` and PKCE verifier server-side for
 * a few minutes and gives the platform's address where the person approves Herald.
 */
export async function startConnect(
  ctx: ConnectContext,
  platform: ConnectablePlatform,
  input: { instance?: string | undefined; accountId?: string | undefined; staffUserId: string },
): Promise<string> {
  const instanceUrl =
    platform === 'mastodon' ? instanceUrlFrom(input.instance ?? '', ctx.config.allowPrivateUrls) : null;
  const server = await serverFor(ctx, platform, instanceUrl);
  const authorization = newAuthorization();
  await saveOAuthState(ctx.store.db, {
    ...authorization,
    platform,
    instanceUrl,
    accountId: input.accountId ?? null,
    staffUserId: input.staffUserId,
    expiresAt: new Date(Date.now() + ctx.config.connect.stateMinutes * 60_000).toISOString(),
  });
  return authorizationUrl(server, redirectUriFor(ctx, platform), authorization);
}

/** The state of this callback, taken (one use); a ConnectError in plain words when missing, unknown or used. */
async function takeState(
  ctx: ConnectContext,
  platform: ConnectablePlatform,
  query: URLSearchParams,
): Promise<OAuthState> {
  const state = query.get('state');
  if (!state)
    throw new ConnectError(
      'The platform sent Herald back without the "state" of the connection, so it cannot be trusted. Nothing was stored: start again from the Channels page.',
      'connect_state_missing',
    );
  const found = await takeOAuthState(ctx.store.db, state);
  if (!found || found.platform !== platform)
    throw new ConnectError(
      'This connection is unknown, expired or was already completed. Nothing was stored: start again from the Channels page.',
      'connect_state_unknown',
    );
  return found;
}

/** Completes a connection from the platform's callback: stores the account (tokens encrypted) and uses it. */
export async function finishConnect(
  ctx: ConnectContext,
  platform: ConnectablePlatform,
  query: URLSearchParams,
): Promise<{ accountId: string; name: string; reconnected: boolean }> {
  const state = await takeState(ctx, platform, query);
  const server = await serverFor(ctx, platform, state.instanceUrl);
  const tokens = await exchangeCode(server, query, {
    state: state.state,
    verifier: state.verifier,
    redirectUri: redirectUriFor(ctx, platform),
  });
  const identity: ConnectedIdentity =
    platform === 'twitter'
      ? await twitterIdentity(server, tokens, ctx.config.channels.twitter?.apiUrl)
      : await mastodonIdentity(state.instanceUrl!, tokens);
  const id = state.accountId ?? identity.id;
  if (ctx.channels.has(id) && !ctx.channels.isConnected(id))
    throw new ConnectError(
      `The account "${id}" comes from the configuration: change its credentials there. Nothing was stored.`,
      'connect_configured_account',
    );
  await upsertConnectedAccount(ctx.store.db, {
    id,
    platform,
    name: identity.name,
    apiUrl: identity.apiUrl,
    credentials: encryptSecret(JSON.stringify(identity.credentials), ctx.secretKey),
    tokenExpiresAt: identity.tokenExpiresAt?.toISOString() ?? null,
    connectedBy: state.staffUserId,
  });
  await ctx.refreshConnected(true);
  await setAccountState(ctx.store.db, id, 'ok', null);
  const released = await releaseAccountHolds(ctx, id);
  await recordAudit(ctx.store.db, {
    actor: `staff:${state.staffUserId}`,
    action: state.accountId ? 'account_reconnected' : 'account_connected',
    subjectType: 'account',
    subjectId: id,
    details: { platform, released },
  });
  return { accountId: id, name: identity.name, reconnected: state.accountId !== null };
}

/** Removes a connected account; revokes its token where the platform allows. Its history stays. */
export async function disconnectAccount(
  ctx: ConnectContext,
  accountId: string,
  staffUserId: string,
): Promise<{ revoked: boolean }> {
  const row = (await listConnectedAccounts(ctx.store.db)).find((a) => a.id === accountId);
  if (!row) throw new NotFoundError('connected account', accountId);
  const credentials = JSON.parse(decryptSecret(row.credentials, ctx.secretKey)) as Record<string, string>;
  let revoked = false;
  try {
    const platform = row.platform as ConnectablePlatform;
    const server = await serverFor(ctx, platform, platform === 'mastodon' ? row.apiUrl : null);
    const token = credentials.refreshToken ?? credentials.accessToken;
    revoked = token ? await revokeToken(server, token) : false;
  } catch {
    revoked = false; // the account goes anyway: a platform that cannot be reached keeps nothing Herald uses
  }
  await deleteConnectedAccount(ctx.store.db, accountId);
  await ctx.refreshConnected(true);
  await recordAudit(ctx.store.db, {
    actor: `staff:${staffUserId}`,
    action: 'account_disconnected',
    subjectType: 'account',
    subjectId: accountId,
    details: { revoked },
  });
  return { revoked };
}
