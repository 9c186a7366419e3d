// Time to first byte and transfer size of the staff pages with a realistic database: 1,000 items (drafts,
// scheduled, published with their deliveries, withdrawn), 130 member authorities with a contact each, and
// a few failed deliveries on the dashboard. Run: npx tsx bench/pages.ts  (REDIS_URL, DATABASE_URL optional)
import type { Context } from '../src/app/context.js';
import { createItem } from '../src/app/items.js';
import { publishNow, requestPublish } from '../src/app/publishing.js';
import { createStaffUser } from '../src/app/staff.js';
import { insertAuthority, insertContact } from '../src/store/members.js';
import { fmt, percentile, printTable } from './lib.js';
import { emit } from './summary.js';
import { measure, signIn, startBenchServer } from './page-client.js';

const ITEMS = 1_000;
const MEMBERS = 130;
const RUNS = 30;
const PASSWORD = 'bench password 0123';

async function seed(ctx: Context): Promise<string> {
  const db = ctx.store.db;
  let sample = '';
  for (let i = 0; i < ITEMS; i++) {
    const item = await createItem(
      ctx.store,
      {
        title: `Member news ${i}: cities share their climate plans`,
        summary: 'What the member cities agreed, in two sentences for the social posts and the newsletter.',
        body: `## Highlights ${i}\n\nMayors signed the **declaration**; the full text is [online](https://example.org/d/${i}).\n\n- energy\n- transport\n- housing`,
        url: `https://example.org/news/${i}`,
        tags: ['climate', 'cities'],
      },
      'bench',
    );
    if (i === 0) sample = item.id;
    if (i % 10 < 6) await publishNow(ctx, item.id, { channels: null, announce: false, actor: 'bench' });
    else if (i % 10 === 6)
      await requestPublish(ctx, item.id, {
        at: new Date(Date.now() + (i % 14) * 86_400_000 + 3_600_000).toISOString(),
        actor: 'bench',
      });
  }
  // The workers "ran": most deliveries went out, a few failed.
  await db
    .updateTable('deliveries')
    .set({ status: 'done', remoteUrl: 'https://x.com/herald/status/1', finishedAt: new Date().toISOString() })
    .execute();
  const some = await db.selectFrom('deliveries').select('id').limit(20).execute();
  await db
    .updateTable('deliveries')
    .set({
      status: 'failed',
      errorKind: 'permanent',
      lastError: 'Twitter rejected the post as a duplicate of an earlier one.',
    })
    .where(
      'id',
      'in',
      some.map((s) => s.id),
    )
    .execute();
  for (let m = 0; m < MEMBERS; m++) {
    const authority = await insertAuthority(db, {
      name: `City ${m}`,
      country: ['FR', 'DE', 'IT', 'ES', 'BE'][m % 5]!,
      regionType: 'city',
    });
    await insertContact(db, {
      authorityId: authority.id,
      name: `Contact ${m}`,
      email: `contact${m}@city${m}.example`,
      language: ['en', 'fr'][m % 2]!,
      subscriptions: { announcements: true, digest: true },
    });
  }
  return sample;
}

async function assetBytes(base: string, html: string): Promise<number> {
  const urls = [...html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) =>
    m[1]!.replace(/&#x3D;/g, '='),
  );
  const sizes = await Promise.all(
    urls.map(async (u) => (await fetch(`${base}${u}`)).arrayBuffer().then((b) => b.byteLength)),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

async function main() {
  const { ctx, server, close } = await startBenchServer('pages');
  try {
    const seedStart = performance.now();
    const sample = await seed(ctx);
    await createStaffUser(
      ctx.store,
      { email: 'bench@example.org', role: 'admin', password: PASSWORD },
      'bench',
    );
    console.log(
      `seeded ${ITEMS} items and ${MEMBERS} members in ${fmt((performance.now() - seedStart) / 1000, 1)} s (${ctx.store.describe()})`,
    );
    const base = (await server.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    const cookie = await signIn(base, 'bench@example.org', PASSWORD);
    const pages: Array<[string, string]> = [
      ['baseline: GET /healthz', '/healthz'],
      ['dashboard', '/'],
      ['editor (new item)', '/items/new'],
      ['editor (existing item)', `/items/${sample}/edit`],
      ['items list (50 of 1,000)', '/items'],
      ['item page', `/items/${sample}`],
    ];
    const rows = [];
    const ttfbP50: Record<string, number> = {};
    for (const [name, path] of pages) {
      const first = await measure(`${base}${path}`, cookie); // warm-up, and the page as first downloaded
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(`${base}${path}`, cookie));
      const ttfb = runs.map((r) => r.ttfb);
      ttfbP50[path] = percentile(ttfb, 50);
      const assets = path === '/healthz' ? 0 : await assetBytes(base, first.html);
      rows.push({
        page: name,
        'TTFB p50 ms': fmt(percentile(ttfb, 50), 1),
        'TTFB p95 ms': fmt(percentile(ttfb, 95), 1),
        'HTML kB': fmt(first.bytes / 1024, 1),
        'CSS+JS kB': fmt(assets / 1024, 1),
        'first visit kB': fmt((first.bytes + assets) / 1024, 1),
      });
    }
    printTable(
      `Staff pages, ${RUNS} sequential requests each, no compression (${ITEMS} items, ${MEMBERS} members)`,
      rows,
    );
    const baseline = { baseline: 'GET /healthz', baselineValue: ttfbP50['/healthz']! };
    emit({
      bench: 'pages',
      size: null,
      primary: true,
      figure: `dashboard TTFB p50 (${fmt(ITEMS)} items, ${MEMBERS} members)`,
      value: ttfbP50['/']!,
      unit: 'ms',
      better: 'lower',
      ...baseline,
    });
    emit({
      bench: 'pages',
      size: null,
      figure: 'item editor (existing item) TTFB p50',
      value: ttfbP50[`/items/${sample}/edit`]!,
      unit: 'ms',
      better: 'lower',
      ...baseline,
    });
  } finally {
    await close();
  }
}

await main();
