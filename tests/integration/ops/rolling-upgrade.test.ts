// A rolling upgrade: workers of the previous release keep running while the new version migrates the
// schema and its workers start beside them. Jobs carry ids only, so either version can take any job: every
// delivery is done exactly once. The previous release is built from git history (git archive).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { createContext, type Context } from '../../../src/app/context.js';
import { createLogger } from '../../../src/log.js';
import { openStore, type Store } from '../../../src/store/db.js';
import {
  MigrationError,
  RENAMES_SUFFIX,
  allMigrations,
  migrateToLatest,
  pendingMigrations,
} from '../../../src/store/migrate.js';
import { startWorkers, type RunningWorkers } from '../../../workers/index.js';
import { waitFor } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { envFromSettings, fakeSettings } from '../../helpers/fake-env.js';
import { ROOT, spawnHerald, waitForExit } from '../../helpers/processes.js';
import { deletePrefix, TEST_REDIS, uniquePrefix } from '../../helpers/redis.js';
import { startFakes, type Fakes } from '../../helpers/social.js';
import { publishSample } from '../../helpers/publish.js';
import { spawn, type ChildProcess } from 'node:child_process';

const git = (...args: string[]) => spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' });

/**
 * HERALD_PREVIOUS_RELEASE if set; else the newest `v*` tag before HEAD; else the commit before the newest
 * change to what a rolling upgrade must survive (the migrations, the job payloads and the queue names).
 */
function previousRelease(): { rev: string; label: string } | { skip: string } {
  if (git('rev-parse', '--is-inside-work-tree').stdout.trim() !== 'true')
    return { skip: 'not a git checkout' };
  const chosen = process.env.HERALD_PREVIOUS_RELEASE;
  const tag = git('describe', '--tags', '--abbrev=0', '--match', 'v*', 'HEAD^').stdout.trim();
  const changed = git(
    'log',
    '-1',
    '--format=%H',
    '--',
    'src/store/migrations',
    'src/queues/payloads.ts',
    'src/queues/names.ts',
  ).stdout.trim();
  // Across a renaming migration or a renamed queue (one more RETIRED_QUEUES entry) the upgrade is
  // stop-and-replace: start from the first commit that has it.
  const renames =
    !!changed &&
    (git('show', '--name-only', '--format=', changed, '--', 'src/store/migrations')
      .stdout.split('\n')
      .some((file) => file.endsWith(`${RENAMES_SUFFIX}.ts`)) ||
      git('show', '--format=', changed, '--', 'src/queues/names.ts')
        .stdout.split('\n')
        .some((line) => line.startsWith('+') && line.includes('RETIRED_QUEUES = [')));
  const rev = chosen ?? (tag || (changed ? (renames ? changed : `${changed}^`) : ''));
  if (!rev) return { skip: 'no earlier release in the git history' };
  const commit = git('rev-parse', '--verify', '--quiet', `${rev}^{commit}`).stdout.trim();
  if (!commit) return { skip: `${rev} is not in this clone's history (a shallow clone?)` };
  return {
    rev: commit,
    label: chosen
      ? `HERALD_PREVIOUS_RELEASE=${chosen}`
      : tag
        ? `tag ${tag}`
        : renames
          ? `${commit.slice(0, 10)}, the newest change to migrations or queues, which renames (no rolling upgrade across it)`
          : `${commit.slice(0, 10)}, before the newest change to migrations, job payloads or queue names`,
  };
}

const previous = previousRelease();
if ('skip' in previous) console.warn(`[tests] rolling upgrade skipped: ${previous.skip}`);

describe('herald migrate --dry-run', () => {
  it('lists the migrations that would run and changes nothing', { timeout: 90_000 }, async () => {
    const db = await createTestDatabase('sqlite');
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      HERALD_DATA_DIR: db.dataDir,
      HERALD_CONFIG: '',
      LOG_LEVEL: 'warn',
    };
    try {
      const store = openStore(db.url, db.dataDir);
      const names = Object.keys(allMigrations(store));
      await store.close();
      const dry = spawnHerald(['migrate', '--dry-run'], env);
      expect(await waitForExit(dry, 60_000)).toBe(0);
      expect(dry.output()).toContain(
        `${names.length} migration(s) would run on SQLite ${db.dataDir}/herald.db:`,
      );
      for (const name of names) expect(dry.output()).toContain(`  ${name}\n`);
      const after = openStore(db.url, db.dataDir);
      expect(await pendingMigrations(after)).toEqual(names);
      await migrateToLatest(after);
      expect(await pendingMigrations(after)).toEqual([]);
      await after.close();
    } finally {
      await db.drop();
    }
  });
});

/** A migrated SQLite database on which a newer Herald recorded `migration` too. */
async function withNewerMigration(migration: string, run: (store: Store) => Promise<void>): Promise<void> {
  const db = await createTestDatabase('sqlite');
  const store = openStore(db.url, db.dataDir);
  try {
    await migrateToLatest(store);
    await sql`insert into kysely_migration (name, timestamp) values (${migration}, '2099-01-01T00:00:00.000Z')`.execute(
      store.db,
    );
    await run(store);
  } finally {
    await store.close();
    await db.drop();
  }
}

describe('a newer schema', () => {
  it('is used as it is by an older Herald, which has every migration it knows', async () => {
    await withNewerMigration('999-from-the-future', async (store) => {
      const seen: string[][] = [];
      expect(await migrateToLatest(store, { onNewerSchema: (unknown) => seen.push(unknown) })).toEqual([]);
      expect(seen).toEqual([['999-from-the-future']]);
      await sql`delete from kysely_migration where name = '005-staff'`.execute(store.db);
      await expect(migrateToLatest(store)).rejects.toThrow(MigrationError);
      await expect(migrateToLatest(store)).rejects.toThrow(
        /lacks 005-staff: it was migrated by another line/,
      );
    });
  });

  it('is refused by an older Herald when a newer migration renames, with one clear line', async () => {
    await withNewerMigration('998-words-renames', async (store) => {
      await expect(migrateToLatest(store)).rejects.toThrow(
        /database migration 998-words-renames failed: a newer Herald renamed tables \(998-words-renames\).*stop-and-replace/,
      );
    });
  });
});

describe.skipIf('skip' in previous)(
  `rolling upgrade from the previous release (${'label' in previous ? previous.label : ''})`,
  () => {
    let checkout = '';
    let fakes: Fakes;
    let db: TestDatabase;
    let old: ChildProcess & { output: string };
    let ctx: Context;
    let workers: RunningWorkers;
    const prefix = uniquePrefix('upgrade');

    afterAll(async () => {
      if (old && old.exitCode === null) {
        old.kill('SIGTERM');
        await waitForExit(old, 40_000).catch(() => old.kill('SIGKILL'));
      }
      await workers?.close(5_000);
      await ctx?.close();
      await Promise.all([fakes?.close(), db?.drop(), deletePrefix(prefix)]);
      if (checkout) rmSync(checkout, { recursive: true, force: true });
    });

    it('old and new workers side by side deliver everything exactly once', { timeout: 180_000 }, async () => {
      const rev = (previous as { rev: string }).rev;
      checkout = mkdtempSync(path.join(tmpdir(), 'herald-previous-'));
      execFileSync('sh', ['-c', `git -C "${ROOT}" archive --format=tar ${rev} | tar -x -C "${checkout}"`]);
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));
      const entry = path.join(checkout, 'src/main.ts');
      expect(existsSync(entry), `${rev} has no src/main.ts to run`).toBe(true);

      fakes = await startFakes();
      db = await createTestDatabase('sqlite');
      const settings = fakeSettings(fakes, { delivery: { backoffMs: 100, lockMs: 5_000 } });
      const env = {
        ...process.env,
        ...envFromSettings(settings),
        DATABASE_URL: db.url,
        HERALD_DATA_DIR: db.dataDir,
        REDIS_URL: (TEST_REDIS as { url: string }).url,
        HERALD_QUEUE_PREFIX: prefix,
        HERALD_CONFIG: '',
        LOG_LEVEL: 'info',
        HERALD_PUBLIC_URL: 'http://herald.test',
      };

      // 1. The previous release runs (it migrated the database to its schema).
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', entry, 'worker', 'publish', 'channel', 'feed'],
        { cwd: checkout, env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      old = Object.assign(child, { output: '' });
      child.stdout!.on('data', (d: Buffer) => (old.output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (old.output += d.toString()));
      await waitFor(
        async () => old.output.includes('herald started') || old.exitCode !== null,
        60_000,
        'the previous release to start',
      );
      expect(old.exitCode, old.output).toBeNull();

      // 2. The new version starts: it migrates the schema while the old workers keep running.
      const config = loadConfig({
        env: {},
        cwd: db.dataDir,
        overrides: {
          ...settings,
          dataDir: db.dataDir,
          databaseUrl: db.url,
          queuePrefix: prefix,
          logLevel: 'silent',
          publicUrl: 'http://herald.test',
        },
      });
      ctx = await createContext(config, { redis: TEST_REDIS, log: createLogger('silent') });
      const publish = (n: number) => publishSample(ctx, n);
      const allDone = (ids: string[]) => async () => {
        const { rows } = await sql<{
          n: number;
        }>`select count(*) as n from deliveries where item_id in (${sql.join(ids)}) and status <> 'done'`.execute(
          ctx.store.db,
        );
        return Number(rows[0]!.n) === 0;
      };

      // 3. Work published by the new version, done by the old workers alone, on the new schema.
      const first = [await publish(1), await publish(2)];
      await waitFor(allDone(first), 60_000, 'the old workers to deliver the first items');
      expect(old.output).toContain('"msg":"delivered"');

      // 4. New workers join; both take jobs from the same queues.
      workers = startWorkers(ctx, ['publish', 'channel', 'feed', 'maintenance']);
      const second: string[] = [];
      for (let n = 3; n <= 12; n++) second.push(await publish(n));
      await waitFor(allDone(second), 90_000, 'every delivery done');

      const { rows: items } = await sql<{ url: string }>`select url from items`.execute(ctx.store.db);
      for (const { url } of items) {
        const exact = new RegExp(`${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![\\w-])`);
        expect(fakes.twitter.posts.filter((p) => exact.test(p.text)).length, url).toBe(1);
        expect(
          fakes.facebook.posts.filter((p) => (p.link !== null && exact.test(p.link)) || exact.test(p.message))
            .length,
          url,
        ).toBe(1);
      }
      expect(old.output).not.toMatch(/"level":(50|60)/);
    });
  },
);
