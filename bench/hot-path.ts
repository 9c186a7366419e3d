// The store's hot path alone, in process: CPU per channel delivery for the worker's sequence of statements
// (claim, item, account, fence, dry-run record, completion), 8 deliveries in flight, after a warm-up. Issue 19
// point 1 (hot statements). For a before/after, run it from a `git archive` copy of the earlier revision too.
// Usage: npx tsx bench/hot-path.ts [--size 2k]   (BENCH_DATABASE_URL=postgres://... for PostgreSQL)
import { freshPgUrl, sizedArgs, tempDir } from './lib.js';
import { openStore } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { findItem, insertItem } from '../src/store/items.js';
import { claimDelivery, holdsClaim, insertDeliveries } from '../src/store/deliveries.js';
import { completeRunningDelivery } from '../src/store/running-delivery.js';
import { findAccount, syncAccounts } from '../src/store/accounts.js';
import { recordDryRunPost } from '../src/store/dry-run-posts.js';
import { validateItemFields } from '../src/domain/item.js';

const { size } = sizedArgs(2_000);
const WARM_UP = 200;
const dir = tempDir('hot-path');
const url = process.env.BENCH_DATABASE_URL;
const store = openStore(url ? freshPgUrl(url, 'herald_bench_hot_path') : `sqlite:${dir}/herald.db`, dir);
await migrateToLatest(store);
await syncAccounts(store.db, [{ id: 'acct', platform: 'mastodon', name: 'A', mode: 'dry-run' }]);
const item = await insertItem(
  store.db,
  validateItemFields({ title: 'T', summary: 'S', body: 'B', url: 'https://example.org/a', tags: [] }),
  'bench',
);
const ids: string[] = [];
for (let i = 0; i < size + WARM_UP; i += 200) {
  const planned = Array.from({ length: 200 }, (_, j) => ({
    kind: 'channel' as const,
    target: `acct-${i + j}`,
    action: 'create' as const,
  }));
  ids.push(...(await insertDeliveries(store.db, item.id, 1, planned, [])).map((d) => d.id));
}

async function deliver(id: string): Promise<void> {
  const claim = (await claimDelivery(store.db, id))!;
  await findItem(store.db, claim.delivery.itemId);
  await findAccount(store.db, 'acct');
  await holdsClaim(store.db, id, claim.delivery.attempts);
  const post = await recordDryRunPost(store.db, {
    deliveryId: id,
    accountId: 'acct',
    itemId: item.id,
    platform: 'mastodon',
    action: 'create',
    text: 'hello',
    payload: { parts: ['hello'] },
  });
  await completeRunningDelivery(store.db, claim.delivery, { remoteId: post.id, remoteUrl: null });
}

for (const id of ids.slice(0, WARM_UP)) await deliver(id);
const measured = ids.slice(WARM_UP);
const cpu = process.cpuUsage();
const started = performance.now();
for (let i = 0; i < measured.length; i += 8) await Promise.all(measured.slice(i, i + 8).map(deliver));
const used = process.cpuUsage(cpu);
console.log(
  JSON.stringify({
    bench: 'hot-path',
    database: url ? 'PostgreSQL' : 'SQLite',
    deliveries: measured.length,
    cpuMicrosecondsPerDelivery: Math.round((used.user + used.system) / measured.length),
    wallMsPerDelivery: Number(((performance.now() - started) / measured.length).toFixed(3)),
  }),
);
await store.close();
