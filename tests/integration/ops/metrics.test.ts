// GET /metrics while items publish to the fakes and a newsletter goes out: every family is there during
// the load, and afterwards the counters agree with the database.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/http/server.js';
import { startMetricsServer } from '../../../src/http/metrics-server.js';
import { reconcile } from '../../../src/queues/reconcile.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { fakeSettings } from '../../helpers/fake-env.js';
import { parseExposition, sum, type Exposition } from '../../helpers/prometheus.js';
import { seedContacts } from '../../helpers/newsletter.js';
import { startFakes, type Fakes } from '../../helpers/social.js';
import { publishSample } from '../../helpers/publish.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const API_TOKEN = 'test-token-0123456789abcdef';
const CONTACTS = 30;

const FAMILIES = [
  'herald_queue_jobs',
  'herald_deliveries_total',
  'herald_delivery_duration_seconds',
  'herald_publish_to_delivery_seconds',
  'herald_rate_limit_waits_total',
  'herald_rate_limit_wait_seconds_total',
  'herald_reconciler_restored_jobs_total',
  'herald_newsletter_messages_total',
  'herald_newsletter_send_rate_limit',
  'herald_newsletter_recipients',
  'herald_contacts',
  'herald_mail_feedback_events',
  'herald_mail_suppressions',
  'herald_channel_account_state',
  'herald_http_request_duration_seconds',
  'herald_redis_up',
  'herald_database_up',
  'herald_build_info',
  'herald_sqlite_busy_retries_total',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
];

let fakes: Fakes;
let smtp: FakeSmtp;
let app: TestApp;
let server: FastifyInstance;
let base: string;

beforeAll(async () => {
  [fakes, smtp] = await Promise.all([startFakes(), startFakeSmtp()]);
  app = await startTestApp(
    'sqlite',
    fakeSettings(
      { ...fakes, smtp },
      { metrics: { token: METRICS_TOKEN }, newsletter: { messagesPerSecond: 40 } },
    ),
  );
  await seedContacts(app, CONTACTS);
  server = await buildServer(app.ctx, { apiToken: API_TOKEN });
  base = await server.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
  await app?.close();
  await Promise.all([fakes?.close(), smtp?.close()]);
});

async function scrape(token = METRICS_TOKEN): Promise<Exposition> {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return parseExposition(await res.text());
}

const publish = (n: number, announce = false) => publishSample(app.ctx, n, { announce });

async function rows(sql: string): Promise<Array<Record<string, unknown>>> {
  const { sql: raw } = await import('kysely');
  return (await raw.raw<Record<string, unknown>>(sql).execute(app.ctx.store.db)).rows;
}

describe('GET /metrics', () => {
  it('refuses a scrape without the token, or with another', async () => {
    const none = await fetch(`${base}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(
      (await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-the-metrics-token-000' } }))
        .status,
    ).toBe(401);
    // The API token is not the metrics token.
    expect(
      (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).status,
    ).toBe(401);
  });

  it(
    'under load returns every family; afterwards the counts match the database',
    { timeout: 120_000 },
    async () => {
      // Jobs Redis lost before any worker ran: the reconciler puts them back, and says so.
      const early = await publish(100);
      for (const queue of ['channel', 'feed'] as const)
        for (const job of await app.ctx.queues.get(queue).getJobs(['waiting', 'delayed'])) await job.remove();
      const repaired = await reconcile(app.ctx);
      expect(repaired.deliveriesRestored).toBeGreaterThanOrEqual(3);

      fakes.twitter.inject(
        { kind: 'rate_limited', resetAt: Math.ceil(Date.now() / 1000) + 2 },
        { route: 'POST /2/tweets' },
      );
      fakes.facebook.inject({ kind: 'invalid_parameter' }, { route: '/feed' });
      app.startWorkers(['publish', 'channel', 'feed', 'newsletter']);
      const published = [early];
      for (let n = 1; n <= 6; n++) published.push(await publish(n, n <= 2));

      const during: Exposition[] = [];
      const everyThingDone = async () => {
        during.push(await scrape());
        const [open] = await rows(
          "select count(*) as n from deliveries where status in ('pending', 'running')",
        );
        const [recipients] = await rows(
          "select count(*) as n from newsletter_recipients where status in ('pending', 'sending', 'deferred')",
        );
        const [newsletters] = await rows('select count(*) as n from newsletters');
        return Number(open!.n) === 0 && Number(recipients!.n) === 0 && Number(newsletters!.n) === 2;
      };
      await waitFor(everyThingDone, 90_000, 'every delivery and message done');
      for (const family of FAMILIES) expect(during[0]!.types.has(family), family).toBe(true);
      expect(
        during.some(
          (e) =>
            sum(e, 'herald_queue_jobs', { state: 'waiting' }) +
              sum(e, 'herald_queue_jobs', { state: 'delayed' }) +
              sum(e, 'herald_queue_jobs', { state: 'active' }) >
            0,
        ),
      ).toBe(true);

      const after = await scrape();
      for (const family of FAMILIES) expect(after.types.has(family), family).toBe(true);
      expect(sum(after, 'herald_redis_up')).toBe(1);
      expect(sum(after, 'herald_database_up')).toBe(1);
      expect(sum(after, 'herald_queue_jobs', { queue: 'channel', state: 'waiting' })).toBe(0);

      // Deliveries by kind, platform and outcome, as the database has them.
      const byOutcome = await rows(
        "select kind, target, status, count(*) as n from deliveries where status in ('done', 'failed') group by kind, target, status",
      );
      const platform = (kind: string, target: string) =>
        kind === 'channel' ? target : kind === 'feed' ? 'feed' : 'email';
      for (const row of byOutcome) {
        const labels = {
          kind: String(row.kind),
          platform: platform(String(row.kind), String(row.target)),
          outcome: row.status === 'done' ? 'done' : 'failed',
        };
        expect(sum(after, 'herald_deliveries_total', labels), JSON.stringify(labels)).toBe(Number(row.n));
        if (row.status === 'done')
          expect(
            sum(after, 'herald_publish_to_delivery_seconds_count', {
              kind: labels.kind,
              platform: labels.platform,
            }),
          ).toBe(Number(row.n));
      }
      expect(sum(after, 'herald_deliveries_total', { outcome: 'failed', platform: 'facebook' })).toBe(1);
      expect(sum(after, 'herald_deliveries_total', { outcome: 'rate_limited', platform: 'twitter' })).toBe(1);
      expect(sum(after, 'herald_rate_limit_waits_total', { account: 'twitter' })).toBeGreaterThanOrEqual(1);
      expect(sum(after, 'herald_reconciler_restored_jobs_total', { what: 'delivery' })).toBe(
        repaired.deliveriesRestored,
      );

      // Newsletter messages: the counter of this process and the database's rows agree.
      const [sent] = await rows("select count(*) as n from newsletter_recipients where status = 'sent'");
      expect(Number(sent!.n)).toBe(2 * CONTACTS);
      expect(sum(after, 'herald_newsletter_messages_total', { outcome: 'sent' })).toBe(2 * CONTACTS);
      // Database counts are read at most every 15 s, however often Prometheus scrapes.
      const counted = await waitFor(
        async () => {
          const e = await scrape();
          return sum(e, 'herald_newsletter_recipients', { status: 'sent' }) === 2 * CONTACTS ? e : null;
        },
        30_000,
        'the recipient counts of the database',
      );
      expect(sum(counted, 'herald_contacts', { status: 'active' })).toBe(CONTACTS);
      expect(
        sum(counted, 'herald_channel_account_state', { account: 'twitter', mode: 'live', state: 'ok' }),
      ).toBe(1);
      expect(sum(after, 'herald_newsletter_send_rate_limit')).toBe(40);
    },
  );

  it('times HTTP requests by route pattern, never by the raw URL', async () => {
    const id = await publish(50);
    const res = await fetch(`${base}/api/items/${id}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(res.status).toBe(200);
    await fetch(`${base}/no/such/page/${id}`);
    const text = await (
      await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(text).not.toContain(id);
    const after = parseExposition(text);
    expect(
      sum(after, 'herald_http_request_duration_seconds_count', {
        route: '/api/items/:id',
        method: 'GET',
        status_code: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sum(after, 'herald_http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('is served on a loopback port of its own, with the same series', async () => {
    const own = await startMetricsServer(app.ctx.metrics, 0, METRICS_TOKEN);
    try {
      expect(own.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect((await fetch(own.url)).status).toBe(401);
      const text = await (
        await fetch(own.url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      ).text();
      expect(parseExposition(text).types.has('herald_deliveries_total')).toBe(true);
      const port = Number(new URL(own.url).port);
      await expect(startMetricsServer(app.ctx.metrics, port, METRICS_TOKEN)).rejects.toThrow(
        /HERALD_METRICS_PORT \(metrics\.port\): 127\.0\.0\.1:\d+ is already in use/,
      );
      const open = await startMetricsServer(app.ctx.metrics, 0, undefined);
      expect((await fetch(open.url)).status).toBe(200);
      await open.close();
    } finally {
      await own.close();
    }
  });
});
