// Time to first byte of the calendar's month page with 2,000 entries in the month (1,400 scheduled items,
// 600 published), against GET /healthz in the same run. Run: npx tsx bench/calendar.ts
// (REDIS_URL, DATABASE_URL optional)
import { DateTime } from 'luxon';
import { createItem } from '../src/app/items.js';
import { createStaffUser } from '../src/app/staff.js';
import { fmt, percentile, printTable } from './lib.js';
import { emit } from './summary.js';
import { measure, signIn, startBenchServer } from './page-client.js';

const ENTRIES = 2_000;
const RUNS = 30;
const PASSWORD = 'bench password 0123';
const ZONE = 'Europe/Paris';

async function main() {
  const { ctx, server, close } = await startBenchServer('calendar');
  try {
    const month = DateTime.now().setZone(ZONE).plus({ months: 2 }).startOf('month');
    const days = month.daysInMonth!;
    const seedStart = performance.now();
    for (let i = 0; i < ENTRIES; i++) {
      const item = await createItem(
        ctx.store,
        {
          title: `Member news ${i}: cities share their climate plans`,
          url: `https://example.org/news/${i}`,
          tags: ['climate', i % 2 ? 'cities' : 'energy'],
          language: i % 3 ? 'en' : 'fr',
        },
        'bench',
      );
      const at = month
        .plus({ days: i % days, minutes: 6 * 60 + ((i * 7) % (14 * 60)) })
        .toUTC()
        .toISO()!;
      // Placed directly: 2,000 schedules through the queue would measure Redis, not the page.
      const fields =
        i % 10 < 7
          ? { status: 'scheduled', publishAt: at, publishTimezone: ZONE }
          : { status: 'published', publishedAt: at, publishedRevision: 1 };
      await ctx.store.db.updateTable('items').set(fields).where('id', '=', item.id).execute();
    }
    await createStaffUser(
      ctx.store,
      { email: 'bench@example.org', role: 'editor', password: PASSWORD, timezone: ZONE },
      'bench',
    );
    console.log(
      `seeded ${fmt(ENTRIES)} entries in ${month.toFormat('LLLL yyyy')} in ${fmt((performance.now() - seedStart) / 1000, 1)} s (${ctx.store.describe()})`,
    );
    const base = (await server.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    const cookie = await signIn(base, 'bench@example.org', PASSWORD);
    const date = month.plus({ days: 10 }).toISODate()!;
    const pages: Array<[string, string]> = [
      ['baseline: GET /healthz', '/healthz'],
      [`calendar month (${fmt(ENTRIES)} entries)`, `/calendar?view=month&date=${date}`],
      ['calendar week', `/calendar?view=week&date=${date}`],
      ['calendar month, filtered by tag', `/calendar?view=month&date=${date}&tag=energy`],
    ];
    const rows = [];
    const p50: Record<string, number> = {};
    for (const [name, path] of pages) {
      const first = await measure(`${base}${path}`, cookie);
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push((await measure(`${base}${path}`, cookie)).ttfb);
      p50[path] = percentile(runs, 50);
      rows.push({
        page: name,
        'TTFB p50 ms': fmt(p50[path]!, 1),
        'TTFB p95 ms': fmt(percentile(runs, 95), 1),
        'HTML kB': fmt(first.bytes / 1024, 1),
        'vs /healthz': fmt(p50[path]! / p50['/healthz']!, 1),
      });
    }
    printTable(
      `Calendar pages, ${RUNS} sequential requests each (${fmt(ENTRIES)} entries in the month)`,
      rows,
    );
    const figure = (figure: string, path: string, primary = false) =>
      emit({
        bench: 'calendar',
        size: null,
        primary,
        figure,
        value: p50[path]!,
        unit: 'ms',
        better: 'lower',
        baseline: 'GET /healthz',
        baselineValue: p50['/healthz']!,
      });
    figure(`calendar month TTFB p50 (${fmt(ENTRIES)} entries)`, pages[1]![1], true);
    figure('calendar week TTFB p50', pages[2]![1]);
  } finally {
    await close();
  }
}

await main();
