import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem, startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { deletePrefix } from '../../helpers/redis.js';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { createItem } from '../../../src/app/items.js';
import { requestPublish } from '../../../src/app/publishing.js';
import { reconcile } from '../../../src/queues/reconcile.js';
import { countDryRunPosts } from '../../../src/store/dry-run-posts.js';
import { PLATFORM_IDS } from '../../../src/domain/platform.js';

/** One dry-run account per platform when none is configured. */
const ACCOUNTS = PLATFORM_IDS.length;

async function deliveryStatuses(app: TestApp) {
  return app.ctx.store.db
    .selectFrom('deliveries')
    .select(['id', 'status', 'attempts'])
    .where('kind', '=', 'channel')
    .execute(); // feed deliveries: tests/integration/feeds
}

async function publishMany(app: TestApp, n: number) {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const item = await createItem(app.ctx.store, sampleItem(i), 'test');
    await requestPublish(app.ctx, item.id, { actor: 'test' });
    ids.push(item.id);
  }
  return ids;
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`recovery (${dialect})`, () => {
    let app: TestApp;
    afterEach(async () => app?.close());

    it('Redis flushed between enqueue and processing: the reconciler restores every job, each delivered once', async () => {
      app = await startTestApp(dialect, { delivery: { reconcileEveryMs: 1_000 } });
      await publishMany(app, 10);
      expect(await app.ctx.queues.get('social').getJobCountByTypes('waiting')).toBe(10 * ACCOUNTS);
      await deletePrefix(app.prefix); // what FLUSHALL does, limited to this test's keys
      expect(await app.ctx.queues.get('social').getJobCountByTypes('waiting')).toBe(0);
      app.startWorkers(['social', 'maintenance']);
      await waitFor(
        async () => (await deliveryStatuses(app)).every((d) => d.status === 'done'),
        20_000,
        'all deliveries done',
      );
      const rows = await deliveryStatuses(app);
      expect(rows).toHaveLength(10 * ACCOUNTS);
      expect(rows.every((d) => d.attempts === 1)).toBe(true);
      expect(await countDryRunPosts(app.ctx.store.db)).toBe(10 * ACCOUNTS);
      // Nothing left to restore once everything is done.
      expect((await reconcile(app.ctx)).deliveriesRestored).toBe(0);
    });

    it('a scheduled publication survives a flushed Redis', async () => {
      app = await startTestApp(dialect);
      const item = await createItem(app.ctx.store, sampleItem(), 'test');
      await requestPublish(app.ctx, item.id, {
        at: new Date(Date.now() + 1_500).toISOString(),
        actor: 'test',
      });
      await deletePrefix(app.prefix);
      const report = await reconcile(app.ctx);
      expect(report.schedulesRestored).toBe(1);
      app.startWorkers(['publish', 'social']);
      await waitFor(
        async () => (await deliveryStatuses(app)).filter((d) => d.status === 'done').length === ACCOUNTS,
        15_000,
        'scheduled deliveries',
      );
    });

    it('a worker killed with SIGKILL mid-job: the job is re-run and nothing is delivered twice', async () => {
      app = await startTestApp(dialect, { delivery: { lockMs: 2_000 } });
      const env = { ...app.childEnv(), HERALD_DRY_RUN_LATENCY_MS: '3000', HERALD_DELIVERY_CONCURRENCY: '4' };
      await publishMany(app, 3);
      const first = spawnHerald(['worker', 'social'], env);
      // Posts are recorded, the worker is still "waiting for the platform's answer": kill it now.
      await waitFor(
        async () => (await countDryRunPosts(app.ctx.store.db)) >= 1,
        20_000,
        'a post recorded by the first worker',
      );
      expect((await deliveryStatuses(app)).some((d) => d.status === 'running')).toBe(true);
      first.kill('SIGKILL');
      await waitForExit(first);

      const second = spawnHerald(['worker', 'social'], { ...env, HERALD_DRY_RUN_LATENCY_MS: '0' });
      try {
        await waitFor(
          async () => (await deliveryStatuses(app)).every((d) => d.status === 'done'),
          30_000,
          'deliveries done after restart',
        );
      } finally {
        second.kill('SIGTERM');
        await waitForExit(second);
      }
      const rows = await deliveryStatuses(app);
      expect(rows).toHaveLength(3 * ACCOUNTS);
      expect(rows.some((d) => d.attempts >= 2)).toBe(true); // re-run after the crash
      expect(await countDryRunPosts(app.ctx.store.db)).toBe(3 * ACCOUNTS); // and yet one post per delivery
    });
  });
}
