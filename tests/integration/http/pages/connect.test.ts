import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MASTODON_ACCOUNT } from '../../../fakes/mastodon.js';
import { DEFAULT_TWITTER_ACCOUNT } from '../../../fakes/twitter.js';
import {
  approveAt,
  continueLink,
  startConnectFakes,
  X_CLIENT_SECRET,
  type ConnectFakes,
} from '../../../helpers/connect.js';
import { Writable } from 'node:stream';
import { buildServer } from '../../../../src/http/server.js';
import { createLogger } from '../../../../src/log.js';
import { startTestApp } from '../../../helpers/app.js';
import { addUser, Client, csrfOf, TOKEN, type WebApp } from '../../../helpers/web.js';

const TOKENS = [
  DEFAULT_TWITTER_ACCOUNT.accessToken,
  DEFAULT_TWITTER_ACCOUNT.refreshToken,
  DEFAULT_MASTODON_ACCOUNT.token,
  X_CLIENT_SECRET,
];

describe('Connecting accounts from the Channels page (admins)', () => {
  let fakes: ConnectFakes;
  let web: WebApp;
  let admin: Client;
  const logLines: string[] = [];

  beforeAll(async () => {
    fakes = await startConnectFakes();
    const destination = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    const app = await startTestApp('sqlite', fakes.config, { log: createLogger('trace', { destination }) });
    const http = await buildServer(app.ctx, { apiToken: TOKEN });
    web = { app, http, close: async () => (await http.close(), await app.close()) };
    await addUser(web.app, 'root@example.org', 'admin');
    admin = new Client(web.http, '10.6.0.1');
    await admin.signIn('root@example.org');
  });
  afterAll(async () => {
    await web?.close();
    await fakes?.close();
  });
  beforeEach(() => {
    fakes.xOAuth.consent = 'allow';
    fakes.mastodonOAuth.consent = 'allow';
  });

  const connected = () => web.app.ctx.store.db.selectFrom('connectedAccounts').selectAll().execute();

  async function start(platform: string, form: Record<string, string> = {}): Promise<string> {
    const page = await admin.get('/channels');
    const res = await admin.post(`/channels/connect/${platform}`, { _csrf: csrfOf(page.body), ...form });
    expect(res.statusCode).toBe(200);
    return continueLink(res.body);
  }

  it('connects an X account: PKCE and state kept server-side, tokens stored encrypted, never shown', async () => {
    const authorize = new URL(await start('twitter'));
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('scope')).toBe(
      'tweet.read tweet.write users.read media.write offline.access',
    );
    expect(authorize.searchParams.get('redirect_uri')).toBe('http://herald.test/channels/callback/twitter');
    const callback = await approveAt(authorize.href);
    const done = await admin.get(callback);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/channels');
    const rows = await connected();
    expect(rows.map((r) => r.id)).toEqual(['twitter-herald_test']);
    for (const token of TOKENS) expect(rows[0]!.credentials).not.toContain(token);
    expect(fakes.xOAuth.tokenRequests).toEqual(['authorization_code ok']);
    const page = (await admin.get('/channels')).body;
    expect(page).toContain('@herald_test');
    expect(page).toContain('is connected');
    for (const token of TOKENS) expect(page).not.toContain(token);
    expect(web.app.ctx.channels.get('twitter-herald_test')?.account.mode).toBe('live');

    // The same callback again (a replayed code): a clear page, and nothing more is stored or traded.
    const replay = await admin.get(callback);
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('unknown, expired or was already completed');
    expect(fakes.xOAuth.tokenRequests).toEqual(['authorization_code ok']);
    expect(await connected()).toHaveLength(1);
  });

  it('refuses a callback without state, with a state it never gave, and a denied consent; stores nothing', async () => {
    const before = (await connected()).length;
    const missing = await admin.get('/channels/callback/twitter?code=abc');
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('without the &quot;state&quot;');

    const callback = await approveAt(await start('twitter'));
    const forged = callback.replace(/state=[^&]+/, 'state=forged-state-value');
    const wrong = await admin.get(forged);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('unknown, expired or was already completed');

    fakes.xOAuth.consent = 'deny';
    const denied = await admin.get(await approveAt(await start('twitter')));
    expect(denied.statusCode).toBe(400);
    expect(denied.body).toContain('The connection was refused on the platform. Nothing was stored.');
    expect(await connected()).toHaveLength(before);
  });

  it('connects a Mastodon account: registers Herald once per instance, then OAuth', async () => {
    const first = await start('mastodon', { instance: fakes.mastodon.url });
    expect(first.startsWith(`${fakes.mastodon.url}/oauth/authorize?`)).toBe(true);
    expect((await admin.get(await approveAt(first))).statusCode).toBe(303);
    await start('mastodon', { instance: fakes.mastodon.url });
    expect(fakes.mastodonOAuth.registrations).toBe(1);
    const row = (await connected()).find((r) => r.platform === 'mastodon')!;
    expect(row.id).toBe('mastodon-herald-127-0-0-1');
    expect(row.credentials).not.toContain(DEFAULT_MASTODON_ACCOUNT.token);
    const apps = await web.app.ctx.store.db.selectFrom('oauthApps').selectAll().execute();
    expect(apps).toHaveLength(1);
    expect(fakes.mastodonOAuth.clients.get(apps[0]!.clientId)?.secret).toBeDefined();
    expect(apps[0]!.clientSecret).not.toContain(fakes.mastodonOAuth.clients.get(apps[0]!.clientId)!.secret);
  });

  it('disconnects: revokes the token where the platform allows, and the account leaves the list', async () => {
    const page = await admin.get('/channels');
    const res = await admin.post('/channels/mastodon-herald-127-0-0-1/disconnect', {
      _csrf: csrfOf(page.body),
    });
    expect(res.statusCode).toBe(303);
    expect(fakes.mastodonOAuth.revoked).toContain(DEFAULT_MASTODON_ACCOUNT.token);
    expect((await connected()).map((r) => r.id)).not.toContain('mastodon-herald-127-0-0-1');
    expect(web.app.ctx.channels.has('mastodon-herald-127-0-0-1')).toBe(false);
  });

  it('an editor cannot start a connection', async () => {
    await addUser(web.app, 'ed@example.org', 'editor');
    const editor = new Client(web.http, '10.6.0.2');
    await editor.signIn('ed@example.org');
    const csrf = await editor.csrf();
    const res = await editor.post('/channels/connect/twitter', { _csrf: csrf });
    expect(res.statusCode).toBe(403);
  });

  it('no token, client secret, code or verifier appears in a log line or an API answer', async () => {
    const api = await web.http.inject({
      url: '/api/channels',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(api.statusCode).toBe(200);
    expect(api.body).toContain('twitter-herald_test');
    const verifiers = await web.app.ctx.store.db
      .selectFrom('oauthStates')
      .select(['state', 'verifier'])
      .execute();
    const secrets = [...TOKENS, ...verifiers.flatMap((v) => [v.state, v.verifier])];
    for (const secret of secrets) expect(api.body).not.toContain(secret);
    expect(logLines.length).toBeGreaterThan(10);
    const log = logLines.join('');
    for (const secret of secrets) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/[?&]code=[A-Za-z0-9_-]{8,}/);
  });
});
