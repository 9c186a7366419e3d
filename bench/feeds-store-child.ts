// The feed service's own rebuild, from a SQLite store, in a fresh process (bench/feeds.ts --store):
// `seed DIR N` writes N published items into DIR's database (a separate process, so that seeding's
// memory is not counted); `build DIR LIMIT` runs one forced rebuild of every variant with `feed.limit`
// LIMIT, as the feed worker does, and prints one JSON line with its time and the process's peak RSS.
// Usage: node --import tsx bench/feeds-store-child.ts seed|build DIR N|LIMIT
import { loadConfig } from '../src/config/load.js';
import { renderMarkdown } from '../src/domain/markdown.js';
import { feedServiceFor } from '../src/feed/feed-service.js';
import { createLogger } from '../src/log.js';
import { openStore } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';

const [MODE, DIR, COUNT] = [process.argv[2], process.argv[3]!, Number(process.argv[4])];
const TAGS = ['climate', 'cities', 'mobility', 'energy', 'housing', 'culture', 'health', 'water'];
const PARAGRAPH =
  'Mayors of the member cities met in Lyon to agree on **shared targets** for 2030, with [the full text](https://example.org/declaration) & its annexes.';
const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

/** Items as in feeds-child.ts: ~2 kB of Markdown each, 1-2 tags, 2 languages, an image on every third. */
async function seed(n: number): Promise<void> {
  const store = openStore(undefined, DIR);
  await migrateToLatest(store);
  const html = renderMarkdown(
    Array.from({ length: 8 }, () => PARAGRAPH).join('\n\n'),
    'https://www.example.org/',
  );
  for (let start = 0; start < n; start += 500) {
    const rows = [];
    const images = [];
    for (let i = start; i < Math.min(n, start + 500); i++) {
      const url = `https://www.example.org/news/2026/report-${i}`;
      const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
      const imageUrl = i % 3 === 0 ? `https://cdn.example.org/img/${i}.jpg` : null;
      if (imageUrl) images.push({ url: imageUrl, type: 'image/jpeg', bytes: 120_000 + i, checkedAt: at });
      rows.push({
        id: `itm_${i.toString(16).padStart(32, '0')}`,
        slug: `report-${i}`,
        title: `Conference report ${i}: cities & climate`,
        summary: `What the ${i % 130} member cities agreed in Lyon <and> what comes next.`,
        body: `## Highlights ${i}\n\n${Array.from({ length: 8 }, () => PARAGRAPH).join('\n\n')}`,
        bodyHtml: `<h2>Highlights ${i}</h2>\n${html}`,
        url,
        imageUrl,
        imageAlt: imageUrl ? 'Mayors on stage' : null,
        imageId: null,
        tags: JSON.stringify([TAGS[i % TAGS.length], ...(i % 2 === 0 ? [TAGS[(i + 3) % TAGS.length]] : [])]),
        language: i % 4 === 0 ? 'fr' : 'en',
        translations: '{}',
        channelTexts: '{}',
        thread: 0,
        status: 'published',
        revision: 1,
        publishedRevision: 1,
        publishAt: null,
        publishTimezone: null,
        publishChannels: null,
        announce: 0,
        scheduleToken: null,
        publishedAt: at,
        withdrawnAt: null,
        createdAt: at,
        updatedAt: at,
      });
    }
    await store.db.insertInto('items').values(rows).execute();
    if (images.length > 0) await store.db.insertInto('remoteImages').values(images).execute();
  }
  await store.close();
}

async function build(limit: number): Promise<Record<string, number>> {
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: DIR,
      publicUrl: 'https://herald.example.org',
      siteUrl: 'https://www.example.org',
      organisationName: 'Alliance',
    },
  });
  // The configuration allows 1-1000 items per feed; a larger limit measures the builder beyond it.
  const feed = { ...config.feed, limit, hubUrl: undefined };
  const store = openStore(undefined, DIR);
  const baselineMb = rssMb();
  const started = performance.now();
  const outcome = await feedServiceFor({
    store,
    config: { ...config, feed },
    log: createLogger('warn'),
  }).ensureCurrent('bench', { force: true });
  const ms = performance.now() - started;
  await store.close();
  return { ms, items: outcome.items, variants: outcome.variants.length, baselineMb };
}

if (MODE === 'seed') {
  await seed(COUNT);
  process.stdout.write(`${JSON.stringify({ seeded: COUNT })}\n`);
} else {
  const result = await build(COUNT);
  const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify({ ...result, peakMb })}\n`);
}
process.exit(0);
