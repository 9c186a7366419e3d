import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresSkipReason } from '../../helpers/databases.js';
import { sampleItem, startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { createItem } from '../../../src/app/items.js';
import { requestPublish } from '../../../src/app/publishing.js';
import { countDryRunPosts } from '../../../src/store/dry-run-posts.js';
import { PLATFORM_IDS } from '../../../src/domain/platform.js';

// Several `herald worker` processes sharing one Redis and one PostgreSQL, as on several machines.
describe.skipIf(postgresSkipReason !== null)('three worker processes per queue on PostgreSQL', () => {
  let app: TestApp;
  const children: ReturnType<typeof spawnHerald>[] = [];

  beforeAll(async () => {
    app = await startTestApp('postgres');
    for (let i = 0; i < 3; i++)
      children.push(spawnHerald(['worker'], { ...app.childEnv(), HERALD_DELIVERY_CONCURRENCY: '4' }));
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => waitForExit(c)));
    await app?.close();
  });

  it('every delivery happens exactly once, published now or at a time', async () => {
    const now: string[] = [];
    for (let i = 0; i < 40; i++) now.push((await createItem(app.ctx.store, sampleItem(i), 'test')).id);
    const later: string[] = [];
    for (let i = 40; i < 60; i++) later.push((await createItem(app.ctx.store, sampleItem(i), 'test')).id);
    await Promise.all(now.map((id) => requestPublish(app.ctx, id, { actor: 'test' })));
    const at = new Date(Date.now() + 2_000).toISOString();
    await Promise.all(later.map((id) => requestPublish(app.ctx, id, { at, actor: 'test' })));

    const rows = await waitFor(
      async () => {
        const r = await app.ctx.store.db
          .selectFrom('deliveries')
          .select(['id', 'kind', 'status', 'attempts'])
          .execute();
        return r.filter((d) => d.kind === 'channel').length === 60 * PLATFORM_IDS.length &&
          r.every((d) => d.status === 'done')
          ? r
          : null;
      },
      60_000,
      'every delivery done by 3 processes',
    ).catch(async (e) => {
      const r = await app.ctx.store.db.selectFrom('deliveries').select(['status']).execute();
      const counts = r.reduce<Record<string, number>>(
        (a, d) => ({ ...a, [d.status]: (a[d.status] ?? 0) + 1 }),
        {},
      );
      const items = await app.ctx.store.db.selectFrom('items').select(['status']).execute();
      throw new Error(
        `${(e as Error).message}: deliveries ${JSON.stringify(counts)}, items ${JSON.stringify(items.map((i) => i.status))}, ${children.map((c) => c.exitCode + ':' + c.output().slice(-300)).join(' | ')}`,
      );
    });
    expect(rows.filter((d) => d.attempts !== 1)).toEqual([]);
    expect(await countDryRunPosts(app.ctx.store.db)).toBe(60 * PLATFORM_IDS.length);
    const published = await app.ctx.store.db
      .selectFrom('items')
      .select('status')
      .where('status', '=', 'published')
      .execute();
    expect(published).toHaveLength(60);
  }, 90_000);
});
