// The chaos suite: each scenario runs Herald's real processes against a private redis-server, a database,
// the platform fakes and an SMTP server, keeps 200 items and a 1,000-contact newsletter in flight, injects
// one kind of fault and judges the end state. `npm run test:chaos` runs every scenario three times.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../helpers/databases.js';
import { ROOT } from '../helpers/processes.js';
import { startCluster, type Cluster } from './cluster.js';
import { SCENARIOS, type FaultContext, type Scenario } from './scenarios.js';
import { CHAOS_LANES, startLanes, type Lane, type LanePool } from './lanes.js';
import { prepareTraffic, startTraffic } from './traffic.js';
import { judge, settle } from './verdict.js';
import { formatTable, NO_COUNTS, type Row } from './table.js';

const RUNS = Number(process.env.CHAOS_RUNS ?? 1);
const ONLY = process.env.CHAOS_ONLY?.toLowerCase();
const chosen = SCENARIOS.filter((s) => !ONLY || s.name.toLowerCase().includes(ONLY));

// Concurrent up to CHAOS_LANES at a time (vitest.chaos.config.ts sets maxConcurrency to it): each scenario
// holds one lane (its own Redis and PostgreSQL) from start to end.
describe.concurrent('chaos: nothing lost, nothing twice', () => {
  let lanes: LanePool;
  const rows: Row[] = [];

  beforeAll(async () => {
    lanes = await startLanes(CHAOS_LANES);
  }, 120_000);

  afterAll(async () => {
    rows.sort((a, b) => a.run - b.run || order(a.scenario) - order(b.scenario));
    const table = formatTable(rows);
    console.log(`\n${table}`);
    const dir = path.join(ROOT, 'test-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'chaos.md'), `${table}\n`);
    writeFileSync(path.join(dir, 'chaos.json'), `${JSON.stringify(rows, null, 2)}\n`);
    await lanes?.stop();
  }, 60_000);

  const order = (name: string) => SCENARIOS.findIndex((s) => s.name === name);

  /** A fresh database for one scenario: on the private PostgreSQL, else the machine's, or a SQLite file. */
  async function databaseFor(
    scenario: Scenario,
    postgres: Lane['postgres'],
    label: string,
  ): Promise<{ url: string; sqliteFile: string | null; drop: () => Promise<void> }> {
    if (scenario.database === 'sqlite') {
      const dir = mkdtempSync(path.join(tmpdir(), 'herald-chaos-sqlite-'));
      const file = path.join(dir, 'herald.db');
      return {
        url: `sqlite:${file}`,
        sqliteFile: file,
        drop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    }
    if (postgres)
      return { url: await postgres.createDatabase(label), sqliteFile: null, drop: async () => undefined };
    const db = await createTestDatabase('postgres');
    return { url: db.url, sqliteFile: null, drop: db.drop };
  }

  for (let run = 1; run <= RUNS; run++) {
    for (const [index, scenario] of chosen.entries()) {
      it(`run ${run}: ${scenario.name}`, async ({ expect, skip }) => {
        const lane = await lanes.acquire();
        try {
          await runScenario(run, index, scenario, lane, expect, skip);
        } finally {
          lanes.release(lane);
        }
      }, 420_000);
    }
  }

  async function runScenario(
    run: number,
    index: number,
    scenario: Scenario,
    { redis, postgres, noPostgres, number: lane }: Lane,
    expect: ExpectStatic,
    skip: (note: string) => void,
  ): Promise<void> {
    const skipReason =
      scenario.database === 'postgres'
        ? scenario.needsPrivatePostgres
          ? noPostgres
          : postgresSkipReason
        : null;
    if (skipReason) {
      rows.push({ run, scenario: scenario.name, faults: `skipped: ${skipReason}`, seconds: 0, ...NO_COUNTS });
      return skip(skipReason);
    }
    const started = Date.now();
    const phases: Record<string, number> = {};
    let last = started;
    /** Seconds since the previous mark, kept in chaos.json to show where a scenario's time goes. */
    const mark = (phase: string) => {
      phases[phase] = (Date.now() - last) / 1000;
      last = Date.now();
    };
    await redis.flushAll();
    const database = await databaseFor(scenario, postgres, `chaos_${run}_${index}_${process.pid}`);
    let cluster: Cluster | undefined;
    try {
      cluster = await lanes.oneStartAtATime(() =>
        startCluster({ redisUrl: redis.url, databaseUrl: database.url }),
      );
      mark('start');
      const { itemIds } = await prepareTraffic(cluster);
      mark('prepare');
      const traffic = await startTraffic(cluster, itemIds);
      const ctx: FaultContext = {
        cluster,
        redis,
        postgres,
        sqliteFile: database.sqliteFile,
        traffic,
        problems: [],
      };
      const injected = await scenario.inject(ctx);
      mark('inject');
      await traffic.done;
      mark('traffic');
      const settled = await settle(cluster, traffic);
      mark('settle');
      const verdict = await judge(cluster, traffic);
      mark('judge');
      const { problems: found, ...counts } = verdict;
      rows.push({
        run,
        scenario: scenario.name,
        faults: `${injected.faults}: ${injected.what}`,
        seconds: Math.round((Date.now() - started) / 1000),
        ...counts,
        lane,
        phases,
      });
      const problems = [...ctx.problems, ...(settled ? [] : ['work still open after 150 s']), ...found];
      expect(
        problems,
        `${problems.slice(0, 30).join('\n')}\nrefusals ${JSON.stringify(traffic.refusals)}\n${problems.length ? cluster.logs() : ''}`,
      ).toEqual([]);
    } catch (error) {
      if (cluster && !(error as Error).message.includes('--- api'))
        (error as Error).message += `\n${cluster.logs()}`;
      throw error;
    } finally {
      await cluster?.close();
      await database.drop();
      mark('close');
      console.log(`lane ${lane}, run ${run}: ${scenario.name}: ${JSON.stringify(phases)} (s)`);
    }
  }
});
