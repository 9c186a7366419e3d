// Three `herald worker <queue>` processes per queue (publish, channel, feed, newsletter) sharing one Redis and
// one PostgreSQL, configured by environment variables only, as on several machines, against the Twitter,
// Facebook and SMTP fakes: every post, message and feed entry happens exactly once, and Twitter's
// per-account posting limit holds: the processes never hammer it, and once Twitter says "wait" (to any one of
// them) none of them posts to that account before the reset.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresSkipReason } from '../../helpers/databases.js';
import { sampleItem, startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { envFromSettings, fakeSettings } from '../../helpers/fake-env.js';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { startFakeFacebook, type FakeFacebook } from '../../fakes/facebook.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import {
  DEFAULT_TWITTER_ACCOUNT,
  startFakeTwitter,
  type FakeTwitter,
  type PostLimit,
} from '../../fakes/twitter.js';
import { contactEmail, countByRecipient, seedContacts } from '../../helpers/newsletter.js';
import { createItem } from '../../../src/app/items.js';
import { requestPublish } from '../../../src/app/publishing.js';
import type { QueueName } from '../../../src/queues/names.js';

const KINDS: QueueName[] = ['publish', 'channel', 'feed', 'newsletter'];
const PER_KIND = 3;
/** Social jobs one process runs at once: 3 processes make 6 posts in flight at most. */
const SOCIAL_CONCURRENCY = 2;
const POST_LIMIT: PostLimit = { posts: 10, windowMs: 2_000 };
const NOW = 60;
const LATER = 20;
const CONTACTS = 300;

type Child = ReturnType<typeof spawnHerald> & { kind: QueueName };

/** The item URLs a text links to (exact, so report-1 is not report-10). */
const urlsIn = (text: string) => text.match(/https?:\/\/\S+/g) ?? [];
const countBy = <T>(values: T[]) =>
  values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<T, number>());
const windowOf = (epochMs: number) => Math.floor(epochMs / POST_LIMIT.windowMs);

/** The pino lines of a child's output, parsed. */
function logLines(child: Child): Array<Record<string, unknown>> {
  return child
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.skipIf(postgresSkipReason !== null)(
  'three worker processes of each kind, with the platform fakes, on PostgreSQL',
  () => {
    let twitter: FakeTwitter;
    let facebook: FakeFacebook;
    let smtp: FakeSmtp;
    let app: TestApp;
    const children: Child[] = [];
    let startupMs = 0;

    beforeAll(async () => {
      twitter = await startFakeTwitter({ postLimit: POST_LIMIT });
      facebook = await startFakeFacebook();
      smtp = await startFakeSmtp();
      const settings = fakeSettings(
        { twitter, facebook, smtp },
        { feed: { limit: 100, rebuildIntervalMs: 500 }, newsletter: { concurrency: 4 } },
      );
      app = await startTestApp('postgres', settings);
      await seedContacts(app, CONTACTS);
      // What an operator sets on each machine; nothing else reaches the children. The job lock is production's:
      // one lapsing on this loaded machine would hand a running job to another process (crash recovery, which
      // the crash tests cover), and this test is about processes that stay up.
      const env = {
        ...app.childEnv(),
        ...envFromSettings(settings),
        LOG_LEVEL: 'info',
        HERALD_DELIVERY_CONCURRENCY: String(SOCIAL_CONCURRENCY),
        HERALD_LOCK_MS: '30000',
      };
      const started = performance.now();
      for (const kind of KINDS)
        for (let i = 0; i < PER_KIND; i++)
          children.push(Object.assign(spawnHerald(['worker', kind], env), { kind }));
      await waitFor(
        async () =>
          (await Promise.all(KINDS.map((k) => app.ctx.queues.get(k).getWorkersCount()))).every(
            (n) => n >= PER_KIND,
          ),
        75_000,
        `${PER_KIND} workers on every queue (${children.map((c) => `${c.kind} ${c.exitCode}: ${c.output().slice(-200)}`).join(' | ')})`,
      );
      startupMs = performance.now() - started;
    }, 90_000);

    afterAll(async () => {
      for (const c of children) c.kill('SIGTERM');
      await Promise.all(children.map((c) => waitForExit(c).catch(() => c.kill('SIGKILL'))));
      await app?.close();
      await Promise.all([twitter?.close(), facebook?.close(), smtp?.close()]);
    });

    /** Publishes items `from`..`to`-1 (the first `now` of them now, the others 2 s ahead); `announce` the first. */
    async function publishItems(from: number, to: number, opts: { now?: number; announce?: boolean } = {}) {
      const items: Array<{ id: string; url: string }> = [];
      for (let n = from; n < to; n++) items.push(await createItem(app.ctx.store, sampleItem(n), 'test'));
      const now = items.slice(0, opts.now ?? items.length);
      await Promise.all(
        now.map((item, i) =>
          requestPublish(app.ctx, item.id, { actor: 'test', announce: opts.announce === true && i === 0 }),
        ),
      );
      const at = new Date(Date.now() + 2_000).toISOString();
      await Promise.all(
        items.slice(now.length).map((item) => requestPublish(app.ctx, item.id, { at, actor: 'test' })),
      );
      return items;
    }

    /** The items' deliveries, once there are `count` of them and all are done (and every newsletter is sent). */
    async function deliveriesDone(items: Array<{ id: string }>, count: number) {
      const db = app.ctx.store.db;
      const ids = items.map((i) => i.id);
      const rows = () =>
        db
          .selectFrom('deliveries')
          .select(['id', 'itemId', 'kind', 'target', 'status', 'attempts', 'remoteId', 'lastError'])
          .where('itemId', 'in', ids)
          .execute();
      return waitFor(
        async () => {
          const found = await rows();
          const newsletters = await db.selectFrom('newsletters').select('status').execute();
          return found.length === count &&
            found.every((d) => d.status === 'done') &&
            newsletters.every((n) => n.status === 'sent')
            ? found
            : null;
        },
        75_000,
        'every delivery done and every newsletter sent',
      ).catch(async (e: Error) => {
        const found = await rows();
        const counts = countBy(found.map((d) => `${d.kind}:${d.status}`));
        const errors = [...new Set(found.map((d) => d.lastError).filter(Boolean))].slice(0, 3);
        throw new Error(
          `${e.message}: ${JSON.stringify([...counts])}, ${JSON.stringify(errors)}, tweets ${twitter.posts.length}, refused ${twitter.refusedPosts.length}`,
        );
      });
    }

    it('every item posted once per platform, every contact mailed once, the feed complete, the posting limit kept', async () => {
      const items = await publishItems(0, NOW + LATER, { now: NOW, announce: true });
      const total = items.length;
      const db = app.ctx.store.db;
      const deliveries = await deliveriesDone(items, 3 * total + 1);

      // Each delivery once, at its first attempt (a rate limit gives the attempt back).
      expect(deliveries.filter((d) => d.attempts !== 1)).toEqual([]);
      expect(countBy(deliveries.map((d) => `${d.kind}:${d.target}`))).toEqual(
        new Map([
          ['channel:twitter', total],
          ['channel:facebook', total],
          ['feed:main', total],
          ['newsletter:announce', 1],
        ]),
      );

      // One tweet and one Facebook post per item, the ones its deliveries recorded.
      const urlOf = new Map(items.map((i) => [i.id, i.url]));
      expect(twitter.posts.every((t) => !t.deleted && t.accountId === DEFAULT_TWITTER_ACCOUNT.id)).toBe(true);
      const tweetsPerUrl = countBy(twitter.posts.flatMap((t) => urlsIn(t.text)));
      expect(twitter.posts).toHaveLength(total);
      expect(facebook.posts).toHaveLength(total);
      for (const item of items) {
        expect(tweetsPerUrl.get(item.url), item.url).toBe(1);
        expect(
          facebook.posts.filter((p) => p.link === item.url),
          item.url,
        ).toHaveLength(1);
      }
      for (const d of deliveries.filter((x) => x.kind === 'channel')) {
        const remote =
          d.target === 'twitter'
            ? twitter.posts.find((t) => t.id === d.remoteId)?.text
            : facebook.posts.find((p) => p.id === d.remoteId)?.link;
        expect(remote, `${d.target} ${d.id}`).toContain(urlOf.get(d.itemId));
      }

      // The announcement: each contact exactly one message, each recipient sent at its first attempt.
      const perRecipient = countByRecipient(smtp.messages);
      expect(smtp.messages).toHaveLength(CONTACTS);
      for (let i = 0; i < CONTACTS; i++) expect(perRecipient.get(contactEmail(i)), contactEmail(i)).toBe(1);
      const recipients = await db.selectFrom('newsletterRecipients').select(['status', 'attempts']).execute();
      expect(countBy(recipients.map((r) => `${r.status}:${r.attempts}`))).toEqual(
        new Map([['sent:1', CONTACTS]]),
      );

      // The feeds list every item; no rebuild failed or was left unfinished.
      const feed = JSON.parse(readFileSync(path.join(app.db.dataDir, 'feeds', 'feed.json'), 'utf8')) as {
        items: Array<{ url: string }>;
      };
      expect(new Set(feed.items.map((i) => i.url))).toEqual(new Set(items.map((i) => i.url)));
      const builds = await db.selectFrom('feedBuilds').select(['error', 'finishedAt']).execute();
      expect(builds.filter((b) => b.error !== null || b.finishedAt === null)).toEqual([]);

      // The posting limit: never more tweets in a window than Twitter allows (the fake enforces it, as Twitter
      // does), every window used, and no hammering: a window's refusals are at most the posts that were already
      // in flight when the first refusal closed the gate, one per job slot of the three processes. (Without the
      // gate: 14-25 refusals per window.)
      const accepted = countBy(twitter.posts.map((t) => windowOf(Date.parse(t.createdAt))));
      const refused = countBy(twitter.refusedPosts.map((r) => windowOf(r.at)));
      const summary = `accepted per window ${JSON.stringify([...accepted.values()])}, refused per window ${JSON.stringify([...refused.values()])}`;
      expect(Math.max(...accepted.values()), summary).toBeLessThanOrEqual(POST_LIMIT.posts);
      expect(twitter.refusedPosts.length, `the limit was reached: ${summary}`).toBeGreaterThan(0);
      expect(Math.max(...refused.values()), summary).toBeLessThanOrEqual(PER_KIND * SOCIAL_CONCURRENCY);
      expect(accepted.size, summary).toBeGreaterThanOrEqual(Math.ceil(total / POST_LIMIT.posts));

      // The three channel processes all posted (they competed for the same account), as their logs tell.
      const social = children.filter((c) => c.kind === 'channel');
      const logged = (msg: string) =>
        social.map((c) => logLines(c).filter((l) => l.msg === msg && l.target === 'twitter').length);
      const tweetsBy = await waitFor(
        async () => {
          const counts = logged('delivered');
          return counts.reduce((a, b) => a + b, 0) === total ? counts : null;
        },
        5_000,
        `a "delivered" line per tweet in the channel processes' logs (${logged('delivered').join('/')})`,
      );
      expect(
        tweetsBy.every((n) => n > 0),
        `tweets per channel process: ${tweetsBy.join('/')}; ${summary}`,
      ).toBe(true);
      console.info(
        `[multiprocess] ${children.length} processes up in ${Math.round(startupMs)} ms; tweets per channel process ${tweetsBy.join('/')}, refused ${logged('rate limited; waiting for the reset').join('/')}; ${summary}`,
      );
    }, 90_000);

    it('once Twitter says "wait", no process posts to the account before the reset', async () => {
      const earlier = new Set(twitter.posts.map((t) => t.id));
      // The next tweet is refused with a reset 6 s ahead: whichever process gets it closes the account's gate.
      const resetMs = (Math.ceil(Date.now() / 1000) + 6) * 1000;
      twitter.inject({ kind: 'rate_limited', resetAt: resetMs / 1000 }, { route: 'POST /2/tweets' });
      const first = await publishItems(100, 101);
      // The delivery is released after the gate is closed, so from then on the account waits.
      await waitFor(
        async () =>
          (
            await app.ctx.store.db
              .selectFrom('deliveries')
              .select('errorKind')
              .where('itemId', '=', first[0]!.id)
              .where('target', '=', 'twitter')
              .executeTakeFirst()
          )?.errorKind === 'rate_limited',
        20_000,
        'the tweet refused',
      );
      const closedAt = Date.now();
      expect(await app.ctx.gate.closedUntil('account:twitter'), 'the gate in Redis').toBe(resetMs);
      // More posts than the three processes run at once: they spread over the processes, which all must wait
      // (with a gate per process, the two that were not refused post at once: this fails).
      const more = await publishItems(101, 101 + 2 * PER_KIND * SOCIAL_CONCURRENCY);
      expect(Date.now(), 'published while the gate was closed').toBeLessThan(resetMs);

      const items = [...first, ...more];
      const deliveries = await deliveriesDone(items, 3 * items.length);
      expect(deliveries.filter((d) => d.attempts !== 1)).toEqual([]);
      const tweets = twitter.posts.filter((t) => !earlier.has(t.id));
      expect(countBy(tweets.flatMap((t) => urlsIn(t.text)))).toEqual(new Map(items.map((i) => [i.url, 1])));
      expect(
        tweets.filter((t) => Date.parse(t.createdAt) < resetMs).map((t) => t.createdAt),
        `reset ${new Date(resetMs).toISOString()}`,
      ).toEqual([]);
      expect(twitter.refusedPosts.filter((r) => r.at >= closedAt && r.at < resetMs)).toEqual([]);
    }, 90_000);
  },
);
