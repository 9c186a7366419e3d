// The faults, one per scenario. Each gets the running installation and the servers under it, breaks
// something while the traffic is in flight, and returns what it did (a number for the table and words).
import Database from 'better-sqlite3';
import type { Cluster } from './cluster.js';
import type { PrivatePostgres, PrivateRedis } from './services.js';
import type { Traffic } from './traffic.js';

export interface FaultContext {
  cluster: Cluster;
  redis: PrivateRedis;
  postgres: PrivatePostgres | null;
  /** The SQLite file, when the scenario runs on SQLite. */
  sqliteFile: string | null;
  traffic: Traffic;
  /** What a scenario found wrong while the fault lasted (e.g. the API's answers). */
  problems: string[];
}

export interface Scenario {
  name: string;
  database: 'postgres' | 'sqlite';
  /** Breaks PostgreSQL itself, so it needs the private cluster (not the machine's shared one). */
  needsPrivatePostgres?: boolean;
  /** Injects the faults; resolves with how many were injected and what they were. */
  inject(ctx: FaultContext): Promise<{ faults: number; what: string }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const postsAtTheFakes = (c: Cluster) =>
  c.twitter.posts.length +
  c.facebook.posts.length +
  c.mastodon.statuses.length +
  c.bluesky.posts.length +
  c.linkedin.posts.length;

/** Waits until the workers are visibly busy: some posts and some messages went out. */
async function whenBusy(cluster: Cluster, posts = 20, messages = 100, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (postsAtTheFakes(cluster) >= posts && cluster.smtp.messages.length >= messages) return;
    await sleep(50);
  }
}

/** How much work was open at the moment of a fault, for the table ("with 120 deliveries, 640 messages open"). */
async function openWork(cluster: Cluster): Promise<string> {
  const { db } = cluster.store;
  const [deliveries, messages] = await Promise.all([
    db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['pending', 'running'])
      .executeTakeFirst(),
    db
      .selectFrom('newsletterRecipients')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['pending', 'sending', 'deferred'])
      .executeTakeFirst(),
  ]);
  return `${Number(deliveries?.n ?? 0)}+${Number(messages?.n ?? 0)}`;
}

export const OUTAGE_MS = Number(process.env.CHAOS_OUTAGE_MS ?? 30_000);

export const SCENARIOS: Scenario[] = [
  {
    name: 'no fault (control)',
    database: 'postgres',
    inject: async () => ({ faults: 0, what: 'nothing' }),
  },
  {
    name: 'SIGKILL workers mid-job',
    database: 'postgres',
    async inject({ cluster }) {
      await whenBusy(cluster, 10, 50);
      const order = [
        'channel',
        'newsletter',
        'publish',
        'channel',
        'newsletter',
        'channel',
        'newsletter',
        'publish',
      ] as const;
      for (const [i, role] of order.entries()) {
        await cluster.killAndReplace(role, i);
        await sleep(700);
      }
      return {
        faults: order.length,
        what: 'SIGKILL of channel x3, newsletter x3, publish/feed x2, each replaced',
      };
    },
  },
  {
    name: 'SIGSTOP past the job lock',
    database: 'postgres',
    async inject({ cluster }) {
      await whenBusy(cluster, 10, 50);
      // A slow platform answer keeps a request in flight at the moment the worker freezes.
      cluster.twitter.inject({ kind: 'slow', delayMs: 2_500 }, { route: 'POST /2/tweets', times: 3 });
      await sleep(300);
      cluster.signal('channel', 0, 'SIGSTOP');
      cluster.signal('newsletter', 0, 'SIGSTOP');
      await sleep(10_000); // lock 4 s: the other copies take the jobs over
      cluster.signal('channel', 0, 'SIGCONT');
      cluster.signal('newsletter', 0, 'SIGCONT');
      return { faults: 2, what: 'channel#0 and newsletter#0 frozen 10 s (lock 4 s), then resumed' };
    },
  },
  {
    name: 'Redis killed, restarted from AOF',
    database: 'postgres',
    async inject({ cluster, redis }) {
      await whenBusy(cluster, 10, 50);
      const open: string[] = [];
      for (let i = 0; i < 2; i++) {
        open.push(await openWork(cluster));
        await redis.kill();
        await sleep(2_000);
        await redis.start();
        await sleep(3_000);
      }
      return {
        faults: 2,
        what: `SIGKILL redis-server, down 2 s, restart (AOF), twice (open: ${open.join(', ')})`,
      };
    },
  },
  {
    name: 'Redis FLUSHALL mid-run',
    database: 'postgres',
    async inject({ cluster, redis }) {
      await whenBusy(cluster, 10, 50);
      const open = [await openWork(cluster)];
      await redis.flushAll();
      await sleep(4_000);
      open.push(await openWork(cluster));
      await redis.flushAll();
      return { faults: 2, what: `FLUSHALL twice, 4 s apart (open: ${open.join(', ')})` };
    },
  },
  {
    name: `Redis unreachable ${OUTAGE_MS / 1000} s`,
    database: 'postgres',
    async inject(ctx) {
      await whenBusy(ctx.cluster, 10, 50);
      const open = await openWork(ctx.cluster);
      await ctx.redis.kill();
      const restartAt = Date.now() + OUTAGE_MS;
      await sleep(2_000);
      ctx.problems.push(...(await apiWithoutRedis(ctx.cluster)));
      await sleep(restartAt - Date.now());
      await ctx.redis.start();
      return {
        faults: 1,
        what: `redis-server gone for ${OUTAGE_MS / 1000} s, API checked meanwhile (open: ${open})`,
      };
    },
  },
  {
    name: 'PostgreSQL crashed and restarted',
    database: 'postgres',
    needsPrivatePostgres: true,
    async inject({ cluster, postgres }) {
      if (!postgres) throw new Error('needs the private PostgreSQL');
      await whenBusy(cluster, 10, 50);
      const open: string[] = [];
      for (let i = 0; i < 2; i++) {
        open.push(await openWork(cluster));
        await postgres.crashAndRestart(2_000);
        await sleep(3_000);
      }
      return {
        faults: 2,
        what: `pg_ctl stop -m immediate, down 2 s, start, twice (open: ${open.join(', ')})`,
      };
    },
  },
  {
    name: 'SQLite database locked',
    database: 'sqlite',
    async inject({ cluster, sqliteFile }) {
      await whenBusy(cluster, 10, 50);
      const db = new Database(sqliteFile!);
      const open: string[] = [];
      for (let i = 0; i < 2; i++) {
        open.push(await openWork(cluster));
        db.exec('BEGIN EXCLUSIVE');
        await sleep(6_000);
        db.exec('COMMIT');
        await sleep(2_000);
      }
      db.close();
      return {
        faults: 2,
        what: `another process holds an exclusive lock 6 s, twice (open: ${open.join(', ')})`,
      };
    },
  },
  {
    name: 'platforms: 429, 5xx, timeouts, drops',
    database: 'postgres',
    async inject({ cluster }) {
      const tweet = { route: 'POST /2/tweets' };
      const { twitter, facebook } = cluster;
      twitter.inject(
        { kind: 'rate_limited', resetAt: Math.ceil(Date.now() / 1000) + 3 },
        { ...tweet, nth: 5, times: 2 },
      );
      twitter.inject({ kind: 'server_error', status: 503 }, { ...tweet, nth: 20, times: 3 });
      twitter.inject({ kind: 'slow', delayMs: 4_000 }, { ...tweet, nth: 40, times: 2 });
      twitter.inject({ kind: 'drop_after_accept' }, { ...tweet, nth: 60, times: 3 });
      twitter.inject({ kind: 'drop' }, { ...tweet, nth: 80, times: 2 });
      const feed = { route: '/feed' };
      facebook.inject({ kind: 'rate_limited', code: 32, minutes: 1 }, { ...feed, nth: 5, times: 2 });
      facebook.inject({ kind: 'server_error', status: 502 }, { ...feed, nth: 20, times: 3 });
      facebook.inject({ kind: 'slow', delayMs: 4_000 }, { ...feed, nth: 40, times: 2 });
      facebook.inject({ kind: 'drop_after_accept' }, { ...feed, nth: 60, times: 3 });
      facebook.inject({ kind: 'drop' }, { ...feed, nth: 80, times: 2 });
      const status = { route: 'POST /api/v1/statuses' };
      const { mastodon } = cluster;
      mastodon.inject({ kind: 'rate_limited', resetInMs: 3_000 }, { ...status, nth: 5, times: 2 });
      mastodon.inject({ kind: 'server_error', status: 503 }, { ...status, nth: 20, times: 3 });
      mastodon.inject({ kind: 'slow', delayMs: 4_000 }, { ...status, nth: 40, times: 2 });
      mastodon.inject({ kind: 'drop_after_accept' }, { ...status, nth: 60, times: 3 });
      mastodon.inject({ kind: 'drop' }, { ...status, nth: 80, times: 2 });
      const record = { method: 'com.atproto.repo.createRecord' };
      const { bluesky } = cluster;
      bluesky.inject({ kind: 'rate_limited', seconds: 3 }, { ...record, nth: 5, times: 2 });
      bluesky.inject({ kind: 'server_error', status: 502 }, { ...record, nth: 20, times: 3 });
      bluesky.inject({ kind: 'slow', delayMs: 4_000 }, { ...record, nth: 40, times: 2 });
      bluesky.inject({ kind: 'drop_after_accept' }, { ...record, nth: 60, times: 3 });
      bluesky.inject({ kind: 'drop' }, { ...record, nth: 80, times: 2 });
      const post = { route: 'POST /rest/posts' };
      const { linkedin } = cluster;
      linkedin.inject({ kind: 'rate_limited', retryAfter: 3 }, { ...post, nth: 5, times: 2 });
      linkedin.inject({ kind: 'server_error', status: 503 }, { ...post, nth: 20, times: 3 });
      linkedin.inject({ kind: 'slow', delayMs: 4_000 }, { ...post, nth: 40, times: 2 });
      linkedin.inject({ kind: 'drop_after_accept' }, { ...post, nth: 60, times: 3 });
      linkedin.inject({ kind: 'drop' }, { ...post, nth: 80, times: 2 });
      return {
        faults: 60,
        what: 'each platform: 429 x2, 5xx x3, 4 s answer (timeout 3 s) x2, drop after accept x3, drop x2',
      };
    },
  },
  {
    name: 'SMTP 421/451/550 and drops',
    database: 'postgres',
    async inject({ cluster }) {
      const some = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => `contact${from + i * 7}@city${(from + i * 7) % 9}.example.eu`);
      cluster.smtp.setFaults({
        tempFail: { recipients: some(1, 30), code: 421, times: 1 },
        reject: { recipients: some(2, 10), code: 550 },
        drop: { afterMessages: 200, stage: 'rcpt' },
      });
      await whenBusy(cluster, 0, 400);
      cluster.smtp.setFaults({
        tempFail: { recipients: some(3, 30), code: 451, times: 2 },
        reject: { recipients: some(2, 10), code: 550 },
        drop: { afterMessages: 600, stage: 'data' },
      });
      return {
        faults: 4,
        what: '421 x30 contacts, 451 x30 (twice each), 550 x10, connection dropped at RCPT and after DATA',
      };
    },
  },
];

/** While Redis is away: health says so, drafts can still be written, a publish is refused with 503 and changes nothing. */
async function apiWithoutRedis(cluster: Cluster): Promise<string[]> {
  const problems: string[] = [];
  const health = await fetch(`${cluster.apiUrl}/healthz`);
  if (health.status !== 503) problems.push(`/healthz answered ${health.status} while Redis was away`);
  const draft = await cluster.api('POST', '/api/items', {
    title: 'Written while Redis is away',
    url: 'https://example.org/news/offline',
    language: 'en',
  });
  if (draft.status !== 201)
    return [
      ...problems,
      `creating a draft (no Redis needed) answered ${draft.status}: ${draft.text.slice(0, 200)}`,
    ];
  const id = (draft.json() as { id: string }).id;
  const row = () =>
    cluster.store.db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const before = JSON.stringify(await row());
  const publish = await cluster.api('POST', `/api/items/${id}/publish`, {});
  if (publish.status !== 503 || !publish.text.includes('Redis'))
    problems.push(
      `publishing while Redis is away answered ${publish.status} ${publish.text.slice(0, 200)}, not 503`,
    );
  if (JSON.stringify(await row()) !== before) problems.push('the refused publish changed the item');
  const deliveries = await cluster.store.db
    .selectFrom('deliveries')
    .select('id')
    .where('itemId', '=', id)
    .execute();
  if (deliveries.length > 0) problems.push('the refused publish created deliveries');
  const removed = await cluster.api('DELETE', `/api/items/${id}`);
  if (removed.status >= 300) problems.push(`deleting the draft answered ${removed.status}`);
  return problems;
}
