// Fakes for connecting accounts from the Channels page: X (its API fake plus an OAuth server of its own,
// as x.com and api.x.com are) and a Mastodon instance with its OAuth endpoints and app registration.
import { DEFAULT_MASTODON_ACCOUNT, startFakeMastodon, type FakeMastodon } from '../fakes/mastodon.js';
import { DEFAULT_TWITTER_ACCOUNT, startFakeTwitter, type FakeTwitter } from '../fakes/twitter.js';
import { fakeOAuth, startFakeOAuthServer, type FakeOAuth } from '../fakes/oauth.js';

export const X_CLIENT_ID = 'fake-x-client-id-0001';
export const X_CLIENT_SECRET = 'fake-x-client-secret-0001';
export const PUBLIC_URL = 'http://herald.test';

export interface ConnectFakes {
  twitter: FakeTwitter;
  xOAuth: FakeOAuth;
  mastodon: FakeMastodon;
  mastodonOAuth: FakeOAuth;
  /** Configuration for startTestApp / startWebApp. */
  config: Record<string, unknown>;
  close(): Promise<void>;
}

/** `publicUrl`: Herald's address, where the platforms send the person back (registered with X's fake app). */
export async function startConnectFakes(publicUrl = PUBLIC_URL): Promise<ConnectFakes> {
  const twitter = await startFakeTwitter();
  const xOAuth = fakeOAuth({
    paths: { authorize: '/i/oauth2/authorize', token: '/2/oauth2/token', revoke: '/2/oauth2/revoke' },
    clients: {
      [X_CLIENT_ID]: { secret: X_CLIENT_SECRET, redirectUris: [`${publicUrl}/channels/callback/twitter`] },
    },
    grant: () => ({
      access_token: DEFAULT_TWITTER_ACCOUNT.accessToken,
      refresh_token:
        twitter.refreshTokenOf(DEFAULT_TWITTER_ACCOUNT.id) ?? DEFAULT_TWITTER_ACCOUNT.refreshToken,
      expires_in: 7200,
      scope: 'tweet.read tweet.write users.read media.write offline.access',
    }),
  });
  const xServer = await startFakeOAuthServer(xOAuth);
  const mastodonOAuth = fakeOAuth({
    paths: {
      authorize: '/oauth/authorize',
      token: '/oauth/token',
      revoke: '/oauth/revoke',
      register: '/api/v1/apps',
    },
    grant: () => ({
      access_token: DEFAULT_MASTODON_ACCOUNT.token,
      scope: 'read:accounts write:statuses write:media',
    }),
  });
  const mastodon = await startFakeMastodon({ oauth: mastodonOAuth });
  return {
    twitter,
    xOAuth,
    mastodon,
    mastodonOAuth,
    config: {
      publicUrl,
      channels: { accounts: [], twitter: { apiUrl: twitter.url } },
      connect: {
        twitter: {
          clientId: X_CLIENT_ID,
          clientSecret: X_CLIENT_SECRET,
          authorizeUrl: `${xServer.url}/i/oauth2/authorize`,
          apiUrl: xServer.url,
        },
      },
    },
    async close() {
      await Promise.all([twitter.close(), xServer.close(), mastodon.close()]);
    },
  };
}

/** What the platform's consent screen does: follows the authorize address to Herald's callback (a path). */
export async function approveAt(authorizeUrl: string): Promise<string> {
  const response = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`authorize answered ${response.status}`);
  return location.replace(PUBLIC_URL, '');
}

/** The platform's address in the "Continue to <platform>" link Herald's page gives. */
export function continueLink(html: string): string {
  const href = /<a [^>]*href="([^"]+)"[^>]*data-continue/.exec(html)?.[1];
  if (!href) throw new Error('no "Continue" link in the page');
  return href
    .replace(/&amp;/g, '&')
    .replace(/&#x3D;/g, '=')
    .replace(/&#x27;/g, "'");
}
