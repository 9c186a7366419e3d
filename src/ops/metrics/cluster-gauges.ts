// Series about the whole installation, read at scrape time: queue depths from Redis, newsletter and contact
// counts from the database. Every process that serves metrics reports the same values; dashboards take max().
import { Gauge, type Registry } from 'prom-client';
import type { Queues } from '../../queues/producer.js';
import { QUEUE_NAMES } from '../../queues/names.js';
import type { Store } from '../../store/db.js';
import { countByStatus } from '../../store/counts.js';

export const QUEUE_STATES = ['waiting', 'delayed', 'active', 'failed'] as const;

/** A scrape never waits longer than this for Redis or the database. */
const READ_TIMEOUT_MS = 2_000;
/** Database counts scan whole tables: read at most this often, however often Prometheus scrapes. */
const DATABASE_COUNTS_TTL_MS = 15_000;
/** Scrapes closer together than this (several Prometheus servers) share one Redis read. */
const QUEUE_DEPTHS_TTL_MS = 1_000;

export interface ClusterSources {
  queues: Queues;
  store: Store;
}

export function registerClusterGauges(registry: Registry, sources: ClusterSources): void {
  // prom-client collects the series of one scrape concurrently: each read is shared by the gauges that need it.
  const depths = cached(() => readQueueDepths(sources.queues), 'Redis', QUEUE_DEPTHS_TTL_MS);
  const counts = cached(() => readDatabaseCounts(sources.store), 'the database', DATABASE_COUNTS_TTL_MS);
  upGauge(registry, 'herald_redis_up', 'Whether Redis answered the queue-depth read of this scrape', depths);
  gauge(
    registry,
    'herald_queue_jobs',
    'Jobs in each queue by state, read from Redis at scrape time (the same from every process)',
    ['queue', 'state'],
    async (g) => {
      const all = await depths().catch(() => ({}) as Record<string, Record<string, number>>);
      for (const [queue, byState] of Object.entries(all))
        for (const state of QUEUE_STATES) g.set({ queue, state }, byState[state] ?? 0);
    },
  );
  upGauge(registry, 'herald_database_up', 'Whether the database answered the counts of this scrape', counts);
  countGauge(
    registry,
    'herald_newsletter_recipients',
    'Newsletter recipient rows by status, all newsletters (bounced: refused by the receiving server)',
    'status',
    async () => (await counts()).recipients,
  );
  gauge(
    registry,
    'herald_channel_account_state',
    'Each channel account with its mode and state (1); state needs_reconnect holds its posts until someone reconnects it',
    ['account', 'platform', 'mode', 'state'],
    async (g) => {
      for (const a of (await counts().catch(() => null))?.accounts ?? [])
        g.set({ account: a.id, platform: a.platform, mode: a.mode, state: a.state }, 1);
    },
  );
  countGauge(
    registry,
    'herald_contacts',
    'Member contacts by status (bounced and complained ones are no longer mailed)',
    'status',
    async () => (await counts()).contacts,
  );
  mailFeedbackGauges(registry, counts);
}

function mailFeedbackGauges(registry: Registry, counts: () => Promise<DatabaseCounts>): void {
  gauge(
    registry,
    'herald_mail_feedback_events',
    'Bounces (hard, soft), complaints and unsubscriptions recorded, by kind and by who reported them (mailbox, smtp, a provider)',
    ['kind', 'source'],
    async (g) => {
      for (const e of (await counts().catch(() => null))?.feedback ?? [])
        g.set({ kind: e.kind, source: e.source }, e.n);
    },
  );
  countGauge(
    registry,
    'herald_mail_suppressions',
    'Addresses on the suppression list, by reason (hard, soft, complaint, erased)',
    'reason',
    async () => (await counts()).suppressions,
  );
}

/** 1 when `read` answered for this scrape, 0 when it failed or timed out. */
function upGauge(registry: Registry, name: string, help: string, read: () => Promise<unknown>): void {
  gauge(registry, name, `${help} (1) or not (0)`, [], async (g) =>
    g.set(
      await read().then(
        () => 1,
        () => 0,
      ),
    ),
  );
}

/** One series per key of what `read` counted; none when the read failed. */
function countGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  label: L,
  read: () => Promise<Record<string, number>>,
): void {
  gauge(registry, name, help, [label], async (g) => {
    const counted = await read().catch(() => ({}));
    for (const [key, n] of Object.entries(counted)) g.set({ [label]: key } as Record<L, string>, n);
  });
}

function gauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
  fill: (g: Gauge<L>) => Promise<void>,
): void {
  new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      await fill(this);
    },
  });
}

/** Reads at most once per `ttlMs` (a failed read is not kept), never waiting longer than READ_TIMEOUT_MS. */
function cached<T>(read: () => Promise<T>, what: string, ttlMs: number): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > ttlMs) {
      const value = withTimeout(read(), what);
      const entry = { at: Date.now(), value };
      value.catch(() => {
        if (last === entry) last = undefined;
      });
      last = entry;
    }
    return last.value;
  };
}

/** One bounded read per queue: BullMQ counts each state's list or sorted set (LLEN/ZCARD), never the jobs. */
async function readQueueDepths(queues: Queues): Promise<Record<string, Record<string, number>>> {
  const entries = await Promise.all(
    QUEUE_NAMES.map(async (name) => [name, await queues.get(name).getJobCounts(...QUEUE_STATES)] as const),
  );
  return Object.fromEntries(entries);
}

interface DatabaseCounts {
  recipients: Record<string, number>;
  contacts: Record<string, number>;
  feedback: Array<{ kind: string; source: string; n: number }>;
  suppressions: Record<string, number>;
  accounts: Array<{ id: string; platform: string; mode: string; state: string }>;
}

async function readDatabaseCounts(store: Store): Promise<DatabaseCounts> {
  const accountStates = async () =>
    store.db.selectFrom('channelAccounts').select(['id', 'platform', 'mode', 'state']).execute();
  const feedbackEvents = async () =>
    (
      await store.db
        .selectFrom('mailFeedbackEvents')
        .select(['kind', 'source', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy(['kind', 'source'])
        .execute()
    ).map((r) => ({ kind: r.kind, source: r.source, n: Number(r.n) }));
  const suppressionReasons = async () =>
    Object.fromEntries(
      (
        await store.db
          .selectFrom('mailSuppressions')
          .select(['reason', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy('reason')
          .execute()
      ).map((r) => [r.reason, Number(r.n)]),
    );
  const [recipients, contacts, accounts, feedback, suppressions] = await Promise.all([
    countByStatus(store.db, 'newsletterRecipients'),
    countByStatus(store.db, 'contacts'),
    accountStates(),
    feedbackEvents(),
    suppressionReasons(),
  ]);
  return { recipients, contacts, accounts, feedback, suppressions };
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) =>
      (timer = setTimeout(
        () => reject(new Error(`${what} did not answer within ${READ_TIMEOUT_MS} ms`)),
        READ_TIMEOUT_MS,
      )),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
