import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { TEST_REDIS } from '../../../helpers/redis.js';
import { addUser, Client, csrfOf, PASSWORD, startWebApp, type WebApp } from '../../../helpers/web.js';

// Redis holds the counters; SQLite is enough for the accounts here (the store is tested on both elsewhere).
describe('sign-in rate limits', () => {
  let web: WebApp;

  beforeAll(async () => {
    web = await startWebApp('sqlite', {
      web: { loginLimit: { perAccount: 3, perIp: 5, windowMinutes: 15 } },
    });
    for (const name of ['ana', 'ben', 'cid', 'dee']) await addUser(web.app, `${name}@example.org`, 'editor');
  });
  afterAll(async () => web?.close());

  it('locks an account after 3 failures, even with the right password next, and says for how long', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await new Client(web.http, `10.2.0.${i + 1}`).signIn(
        'ana@example.org',
        `wrong password ${i}`,
      );
      expect(res.statusCode).toBe(401);
    }
    const res = await new Client(web.http, '10.2.0.9').signIn('ana@example.org', PASSWORD);
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(800);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(res.body).toContain('Too many attempts to sign in. Try again in 15 minutes.');
    expect(res.headers['set-cookie']?.toString() ?? '').not.toContain('herald_session');
  });

  it('limits one address across accounts, and leaves other addresses alone', async () => {
    const attacker = '10.3.0.1';
    await new Client(web.http, attacker).signIn('ben@example.org', 'guess one here');
    await new Client(web.http, attacker).signIn('ben@example.org', 'guess two here');
    await new Client(web.http, attacker).signIn('cid@example.org', 'guess three here');
    await new Client(web.http, attacker).signIn('cid@example.org', 'guess four here');
    await new Client(web.http, attacker).signIn('dee@example.org', 'guess five here');
    expect((await new Client(web.http, attacker).signIn('dee@example.org', PASSWORD)).statusCode).toBe(429);
    expect((await new Client(web.http, '10.3.0.2').signIn('dee@example.org', PASSWORD)).statusCode).toBe(303);
  });

  it('a successful sign-in clears the account counter', async () => {
    // cid has 2 failures (from 10.3.0.1); a success clears them, so 2 more failures still leave it open.
    expect((await new Client(web.http, '10.4.0.1').signIn('cid@example.org')).statusCode).toBe(303);
    await new Client(web.http, '10.4.0.2').signIn('cid@example.org', 'wrong once more');
    await new Client(web.http, '10.4.0.3').signIn('cid@example.org', 'wrong twice more');
    expect((await new Client(web.http, '10.4.0.4').signIn('cid@example.org')).statusCode).toBe(303);
  });

  it('keeps the counters in Redis under the installation prefix, with an expiry, and no email in the key', async () => {
    const redis = new Redis((TEST_REDIS as { url: string }).url);
    try {
      const keys = await redis.keys(`${web.app.prefix}:web:login:*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join(' ')).not.toContain('@');
      for (const key of keys) expect(await redis.pttl(key)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });
});

// With the default limits (10 per account, 30 per address): counting and judging are one atomic step.
describe('sign-in limit under parallel guesses', () => {
  let web: WebApp;

  beforeAll(async () => {
    web = await startWebApp('sqlite');
    await addUser(web.app, 'eve@example.org', 'editor');
  });
  afterAll(async () => web?.close());

  it('40 parallel wrong passwords against one account: at most 10 are judged (401), the rest get 429', async () => {
    // Each client first fetches the form (its own CSRF cookie), then all 40 guesses go at once.
    const clients = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const client = new Client(web.http, `10.5.${Math.floor(i / 4)}.${i % 4}`);
        return { client, csrf: csrfOf((await client.get('/login')).body) };
      }),
    );
    const answers = await Promise.all(
      clients.map(({ client, csrf }, i) =>
        client.post('/login', {
          _csrf: csrf,
          email: 'eve@example.org',
          password: `wrong guess number ${i}`,
          next: '/',
        }),
      ),
    );
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30);
  }, 60_000);
});
