// The end state of a scenario, judged against the database and what the fakes actually received:
// every due delivery done exactly once or failed with a reason; nothing lost, nothing twice.
import Parser from 'rss-parser';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { countByRecipient } from '../helpers/newsletter.js';
import { queueForDelivery } from '../../src/queues/names.js';
import type { DeliveryKind } from '../../src/domain/delivery.js';
import type { Cluster } from './cluster.js';
import type { Traffic } from './traffic.js';

export interface Verdict {
  items: number;
  messages: number;
  /** Items not published, deliveries neither done nor failed, done without the post/message, missing from the feed. */
  lost: number;
  /** Extra posts for one item on one platform, extra messages to one contact. */
  duplicated: number;
  /** Failed with a reason a person can read and act on (a refused address, a post the platform refused). */
  failedWithReason: number;
  /** Messages held as "outcome unknown" (the connection died while the server had the data): a person decides. */
  heldUnknown: number;
  /** Deliveries and messages that needed more than one attempt: the faults' visible effect. */
  retried: number;
  /** Readable explanations of every lost or duplicated unit (empty when all is well). */
  problems: string[];
}

const ITEM_URL = /https:\/\/example\.org\/news\/report-(\d+)/;

function linkCardUri(record: { value: Record<string, unknown> }): string | null {
  const embed = record.value.embed as { external?: { uri?: string } } | undefined;
  return embed?.external?.uri ?? (typeof record.value.text === 'string' ? record.value.text : null);
}

function countPosts(texts: Array<string | null>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    const n = text?.match(ITEM_URL)?.[1];
    if (n !== undefined) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}

export async function judge(cluster: Cluster, traffic: Traffic): Promise<Verdict> {
  const { db } = cluster.store;
  const jobs = jobStates(cluster.redisUrl);
  const missing: string[] = [];
  const twice: string[] = [];
  let failedWithReason = 0;
  let heldUnknown = 0;
  let retried = 0;
  let duplicated = 0;

  const items = await db
    .selectFrom('items')
    .select(['id', 'url', 'status'])
    .where('id', 'in', traffic.itemIds)
    .execute();
  const numberOf = new Map(items.map((i) => [i.id, i.url.match(ITEM_URL)?.[1] ?? '?']));
  for (const item of items)
    if (item.status !== 'published')
      missing.push(`item ${numberOf.get(item.id)} is ${item.status}, not published`);
  if (items.length !== traffic.itemIds.length)
    missing.push(`${traffic.itemIds.length - items.length} items missing from the database`);

  const posted = {
    twitter: countPosts(
      cluster.twitter.posts.filter((p) => !p.deleted && p.replyTo === null).map((p) => p.text),
    ),
    facebook: countPosts(cluster.facebook.posts.filter((p) => !p.deleted).map((p) => p.link ?? p.message)),
    mastodon: countPosts(
      cluster.mastodon.statuses.filter((s) => !s.deleted && s.inReplyToId === null).map((s) => s.text),
    ),
    // Bluesky shows long links shortened in the text: the link card carries the whole address.
    bluesky: countPosts(cluster.bluesky.posts.filter((r) => !r.value.reply).map(linkCardUri)),
    linkedin: countPosts(
      cluster.linkedin.posts.filter((p) => !p.deleted).map((p) => p.article?.source ?? p.shown),
    ),
  };
  const deliveries = await db
    .selectFrom('deliveries')
    .select(['id', 'itemId', 'kind', 'target', 'status', 'lastError', 'attempts'])
    .where('action', '=', 'create')
    .where('itemId', 'in', traffic.itemIds)
    .execute();
  for (const d of deliveries) {
    if (d.attempts > 1) retried++;
    if (d.kind !== 'channel') {
      if (d.status !== 'done' && !(d.status === 'failed' && d.lastError))
        missing.push(
          `${d.kind} delivery of item ${numberOf.get(d.itemId)} ended ${d.status} (${await jobs.state(queueForDelivery(d.kind as DeliveryKind), d.id)})`,
        );
      continue;
    }
    const platform = (d.target in posted ? d.target : 'twitter') as keyof typeof posted;
    const count = posted[platform].get(numberOf.get(d.itemId) ?? '') ?? 0;
    if (count > 1) {
      duplicated += count - 1;
      twice.push(`item ${numberOf.get(d.itemId)} posted ${count} times on ${platform}`);
    }
    if (d.status === 'done' && count === 0)
      missing.push(`item ${numberOf.get(d.itemId)}: ${platform} delivery done but nothing was posted`);
    else if (d.status === 'failed' && d.lastError) {
      failedWithReason++;
      if (count > 0)
        missing.push(
          `item ${numberOf.get(d.itemId)}: ${platform} delivery recorded failed ("${d.lastError}") but the post exists`,
        );
    } else if (d.status !== 'done')
      missing.push(
        `item ${numberOf.get(d.itemId)}: ${platform} delivery ended ${d.status} (${d.lastError ?? 'no reason'}; ${await jobs.state(queueForDelivery(d.kind as DeliveryKind), d.id)})`,
      );
  }

  const recipients = await db
    .selectFrom('newsletterRecipients')
    .select(['id', 'email', 'status', 'reply', 'attempts'])
    .where('newsletterId', '=', traffic.newsletterId)
    .execute();
  const received = countByRecipient(cluster.smtp.messages);
  for (const r of recipients) {
    if (r.attempts > 1) retried++;
    const count = received.get(r.email.toLowerCase()) ?? 0;
    if (count > 1) {
      duplicated += count - 1;
      twice.push(`${r.email} received ${count} copies`);
    }
    if (r.status === 'sent' && count === 0) missing.push(`${r.email} recorded sent but received nothing`);
    else if (r.status === 'unknown' && r.reply) heldUnknown++;
    else if (['failed', 'bounced'].includes(r.status) && r.reply) failedWithReason++;
    else if (r.status !== 'sent')
      missing.push(
        `${r.email} ended ${r.status} (${r.reply ?? 'no reason'}; ${await jobs.state('newsletter', r.id)})`,
      );
  }
  await jobs.close();

  missing.push(...(await feedProblems(cluster, [...numberOf.values()])));
  return {
    items: items.length,
    messages: recipients.length,
    lost: missing.length,
    duplicated,
    failedWithReason,
    heldUnknown,
    retried,
    problems: [...missing, ...twice],
  };
}

/**
 * Where an open unit's job is in Redis (waiting, active, delayed, missing...): what a lost unit's report needs
 * to tell a stuck worker from a lost job. Looked up only for units that did not end well.
 */
function jobStates(redisUrl: string) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  connection.on('error', () => undefined);
  const queues = new Map<string, Queue>();
  return {
    async state(name: string, id: string): Promise<string> {
      let queue = queues.get(name);
      if (!queue) queues.set(name, (queue = new Queue(name, { connection, prefix: '{herald}' })));
      const state = await queue.getJobState(id).catch((e: Error) => `unreadable: ${e.message}`);
      return `job ${state}`;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
    },
  };
}

/** The RSS feed must parse (rss-parser's XML parser is strict) and list every published item. */
async function feedProblems(cluster: Cluster, numbers: string[]): Promise<string[]> {
  const response = await fetch(`${cluster.apiUrl}/feed.xml`);
  if (!response.ok) return [`GET /feed.xml answered ${response.status}`];
  try {
    const feed = await new Parser().parseString(await response.text());
    const listed = new Set(feed.items.map((i) => i.link?.match(ITEM_URL)?.[1]));
    return numbers.filter((n) => !listed.has(n)).map((n) => `item ${n} missing from the feed`);
  } catch (error) {
    return [`the feed is not well-formed: ${(error as Error).message}`];
  }
}

/** Waits until nothing is open any more (or the time is up): no scheduled item, no open delivery or recipient. */
export async function settle(cluster: Cluster, traffic: Traffic, timeoutMs = 150_000): Promise<boolean> {
  const { db } = cluster.store;
  const deadline = Date.now() + timeoutMs;
  let quietSince = 0;
  while (Date.now() < deadline) {
    const open = await Promise.all([
      db.selectFrom('items').select('id').where('status', '=', 'scheduled').limit(1).execute(),
      db
        .selectFrom('deliveries')
        .select('id')
        .where('status', 'in', ['pending', 'running'])
        .limit(1)
        .execute(),
      db
        .selectFrom('newsletterRecipients')
        .select('id')
        .where('newsletterId', '=', traffic.newsletterId)
        .where('status', 'in', ['pending', 'sending', 'deferred'])
        .limit(1)
        .execute(),
      db
        .selectFrom('newsletters')
        .select('id')
        .where('id', '=', traffic.newsletterId)
        .where('status', 'in', ['draft', 'scheduled', 'sending'])
        .limit(1)
        .execute(),
    ]).catch(() => [[1]]);
    if (open.every((rows) => rows.length === 0)) {
      quietSince ||= Date.now();
      // A little longer, so a straggler (a resumed process, a late retry) would still show up as a duplicate.
      if (Date.now() - quietSince > 3_000) return true;
    } else quietSince = 0;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
