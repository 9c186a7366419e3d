// The chaos suite: each scenario runs Herald's real processes against a private redis-server, a database,
// the platform fakes and an SMTP server, keeps 200 items and a 1,000-contact newsletter in flight, injects
// one kind of fault and judges the end state. `npm run test:chaos` runs every scenario three times.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../helpers/databases.js';
import { ROOT } from '../helpers/processes.js';
import { startCluster, type Cluster } from './cluster.js';
import { SCENARIOS, type FaultContext, type Scenario } from './scenarios.js';
import {
  startPrivatePostgres,
  startPrivateRedis,
  type PrivatePostgres,
  type PrivateRedis,
} from './services.js';
import { prepareTraffic, startTraffic } from './traffic.js';
import { judge, settle } from './verdict.js';
import { formatTable, NO_COUNTS, type Row } from './table.js';

const RUNS = Number(process.env.CHAOS_RUNS ?? 1);
const ONLY = process.env.CHAOS_ONLY?.toLowerCase();
const chosen = SCENARIOS.filter((s) => !ONLY || s.name.toLowerCase().includes(ONLY));

describe('chaos: nothing lost, nothing twice', () => {
  let redis: PrivateRedis;
  let postgres: PrivatePostgres | null = null;
  let noPostgres: string | null = null;
  const rows: Row[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const started = await startPrivatePostgres();
    if (typeof started === 'string') noPostgres = started;
    else postgres = started;
  }, 120_000);

  afterAll(async () => {
    const table = formatTable(rows);
    console.log(`\n${table}`);
    const dir = path.join(ROOT, 'test-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'chaos.md'), `${table}\n`);
    writeFileSync(path.join(dir, 'chaos.json'), `${JSON.stringify(rows, null, 2)}\n`);
    await redis?.stop();
    await postgres?.stop();
  }, 60_000);

  /** A fresh database for one scenario: on the private PostgreSQL, else the machine's, or a SQLite file. */
  async function databaseFor(
    scenario: Scenario,
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
      it(`run ${run}: ${scenario.name}`, async (test) => {
        const skip =
          scenario.database === 'postgres'
            ? scenario.needsPrivatePostgres
              ? noPostgres
              : postgresSkipReason
            : null;
        if (skip) {
          rows.push({ run, scenario: scenario.name, faults: `skipped: ${skip}`, seconds: 0, ...NO_COUNTS });
          return test.skip(skip);
        }
        const started = Date.now();
        await redis.flushAll();
        const database = await databaseFor(scenario, `chaos_${run}_${index}_${process.pid}`);
        let cluster: Cluster | undefined;
        try {
          cluster = await startCluster({ redisUrl: redis.url, databaseUrl: database.url });
          const { itemIds } = await prepareTraffic(cluster);
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
          await traffic.done;
          const settled = await settle(cluster, traffic);
          const verdict = await judge(cluster, traffic);
          const { problems: found, ...counts } = verdict;
          rows.push({
            run,
            scenario: scenario.name,
            faults: `${injected.faults}: ${injected.what}`,
            seconds: Math.round((Date.now() - started) / 1000),
            ...counts,
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
        }
      }, 420_000);
    }
  }
});
