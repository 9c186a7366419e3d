// One measurement of bench/feeds.ts in a fresh process (so peak memory and the cold sanitiser cache
// belong to it alone): `feeds` rebuilds every feed variant of N items, `json` is JSON.stringify of the
// same N items (the floor). Prints one JSON line. Usage: node --import tsx bench/feeds-child.ts N feeds|json [warmRuns=5]
import { rmSync } from 'node:fs';
import type { NewsItem } from '../src/domain/item.js';
import { renderMarkdown } from '../src/domain/markdown.js';
import { buildFeeds } from '../src/feed/build.js';
import { feedMetaFor } from '../src/feed/feed-meta.js';
import { rebuildAllFeeds } from '../src/feed/regenerate.js';
import { loadConfig } from '../src/config/load.js';
import { tempDir } from './lib.js';

const N = Number(process.argv[2]);
const MODE = process.argv[3] as 'feeds' | 'json';
const WARM_RUNS = Number(process.argv[4] ?? 5);

const TAGS = ['climate', 'cities', 'mobility', 'energy', 'housing', 'culture', 'health', 'water'];
const PARAGRAPH =
  'Mayors of the member cities met in Lyon to agree on **shared targets** for 2030, with [the full text](https://example.org/declaration) & its annexes.';

/** N items like real news: a title, a summary, a Markdown body of ~2 kB rendered once, 1-2 tags, 2 languages. */
function makeItems(n: number): NewsItem[] {
  return Array.from({ length: n }, (_, i) => {
    const url = `https://www.example.org/news/2026/report-${i}`;
    const body = `## Highlights ${i}\n\n${Array.from({ length: 8 }, () => PARAGRAPH).join('\n\n')}\n\n- one\n- two\n`;
    const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    return {
      id: `itm_${i.toString(16).padStart(32, '0')}`,
      slug: `report-${i}`,
      title: `Conference report ${i}: cities & climate`,
      summary: `What the ${i % 130} member cities agreed in Lyon <and> what comes next.`,
      body,
      bodyHtml: renderMarkdown(body, url),
      url,
      imageUrl: i % 3 === 0 ? `https://cdn.example.org/img/${i}.jpg` : null,
      imageAlt: i % 3 === 0 ? 'Mayors on stage' : null,
      imageId: null,
      tags: [TAGS[i % TAGS.length]!, ...(i % 2 === 0 ? [TAGS[(i + 3) % TAGS.length]!] : [])],
      language: i % 4 === 0 ? 'fr' : 'en',
      translations: {},
      channelTexts: {},
      thread: false,
      status: 'published',
      revision: 1,
      publishedRevision: 1,
      publishAt: null,
      publishTimezone: null,
      publishChannels: null,
      announce: false,
      scheduleToken: null,
      publishedAt: at,
      withdrawnAt: null,
      createdAt: at,
      updatedAt: at,
    } satisfies NewsItem;
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rssMb = () => process.memoryUsage().rss / 1024 / 1024;

const items = makeItems(N);
const config = loadConfig({
  env: {},
  overrides: {
    publicUrl: 'https://herald.example.org',
    siteUrl: 'https://www.example.org',
    organisationName: 'Alliance',
    feed: { limit: Math.min(N, 1000) },
  },
});
// Every item in every feed it belongs to: the library is measured at N items per feed, not the default 50.
const metaFor = (title: string) => (variant: Parameters<typeof feedMetaFor>[1]) => ({
  ...feedMetaFor({ ...config, feed: { ...config.feed, title } }, variant),
  limit: N,
});
// As the feed service does: a variant whose items and meta did not change is not rebuilt.
const stamp = (item: NewsItem) => `${item.id}|${item.revision}|${item.updatedAt}`;
const baselineMb = rssMb();
const result: Record<string, number | string> = { n: N, mode: MODE, baselineMb: Math.round(baselineMb) };

if (MODE === 'json') {
  const times: number[] = [];
  let bytes = 0;
  for (let run = 0; run <= WARM_RUNS; run++) {
    const started = performance.now();
    bytes = JSON.stringify(items).length;
    if (run > 0) times.push(performance.now() - started);
  }
  Object.assign(result, { ms: median(times), bytes });
} else {
  const dir = tempDir('feeds');
  let started = performance.now();
  const cold = await rebuildAllFeeds(items, dir, metaFor('Run 0'), { stamp });
  result.coldMs = performance.now() - started;
  result.variants = cold.variants.length;
  const warm: number[] = [];
  const mainOnly: number[] = [];
  const floor: number[] = [];
  for (let run = 1; run <= WARM_RUNS; run++) {
    // The floor is timed between the rebuilds, so both see the same machine load.
    started = performance.now();
    JSON.stringify(items);
    floor.push(performance.now() - started);
    started = performance.now();
    await rebuildAllFeeds(items, dir, metaFor(`Run ${run}`), { stamp }); // another title: every variant is rebuilt and rewritten
    warm.push(performance.now() - started);
    started = performance.now();
    const built = buildFeeds(items, metaFor(`Main ${run}`)({ kind: 'all' }));
    mainOnly.push(performance.now() - started);
    result.mainBytes = built.rss.length + built.atom.length + built.json.length;
  }
  // A typical rebuild after one publication: only the variants holding the new item change.
  const added = makeItems(N + 1).slice(N);
  started = performance.now();
  const incremental = await rebuildAllFeeds([...items, ...added], dir, metaFor(`Run ${WARM_RUNS}`), {
    stamp,
  });
  Object.assign(result, {
    ms: median(warm),
    mainMs: median(mainOnly),
    floorMs: median(floor),
    incrementalMs: performance.now() - started,
    incrementalFiles: incremental.written.length,
  });
  rmSync(dir, { recursive: true, force: true });
}
result.peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify(result)}\n`);
