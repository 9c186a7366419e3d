// The same backup and restore on PostgreSQL (pg_dump / pg_restore), and scheduled backups keeping N.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/log.js';
import { createBackup } from '../../../src/ops/backup/backup.js';
import { restoreBackup } from '../../../src/ops/backup/restore.js';
import { pruneBackups, runScheduledBackup } from '../../../src/ops/backup/schedule.js';
import {
  BACKUP_SCHEDULER,
  installSchedulers,
  maintenanceSchedulers,
} from '../../../src/queues/schedulers.js';
import { findTool } from '../../../src/ops/backup/pg-tools.js';
import { openStore } from '../../../src/store/db.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { publishSample } from '../../helpers/publish.js';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../../helpers/databases.js';

const work = mkdtempSync(path.join(tmpdir(), 'herald-backup-variants-'));
const apps: TestApp[] = [];
const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all([...apps.map((a) => a.close()), ...databases.map((d) => d.drop())]);
  rmSync(work, { recursive: true, force: true });
});

async function seeded(
  dialect: 'sqlite' | 'postgres',
  overrides: Record<string, unknown> = {},
): Promise<TestApp> {
  const app = await startTestApp(dialect, overrides);
  apps.push(app);
  for (let n = 1; n <= 3; n++) {
    await publishSample(app.ctx, n);
  }
  return app;
}

const pgTools =
  postgresSkipReason === null && findTool('pg_dump') !== null && findTool('pg_restore') !== null;

describe.skipIf(!pgTools)('PostgreSQL', () => {
  it(
    'pg_dump in the archive, pg_restore into an empty database, rows and open work as they were',
    { timeout: 60_000 },
    async () => {
      const app = await seeded('postgres');
      const file = path.join(work, 'pg.tar.gz');
      const report = await createBackup(app.ctx, file);
      expect(report.manifest.database).toMatchObject({ dialect: 'postgres', copy: 'database/herald.pgdump' });

      const empty = await createTestDatabase('postgres');
      databases.push(empty);
      const dataDir = path.join(work, 'pg-restored');
      const config = loadConfig({ env: {}, cwd: work, overrides: { dataDir, databaseUrl: empty.url } });
      const restored = await restoreBackup(config, file);
      expect(restored.rows).toMatchObject({ items: 3, deliveries: report.manifest.database.rows.deliveries });
      const store = openStore(empty.url, dataDir);
      try {
        const { rows } = await sql<{
          n: number;
        }>`select count(*) as n from deliveries where status = 'pending' and error_kind = 'unknown_outcome' and kind = 'channel'`.execute(
          store.db,
        );
        expect(Number(rows[0]!.n)).toBe(restored.after!.uncertainDeliveries);
      } finally {
        await store.close();
      }
      // A database that is not empty is refused, as a data dir is.
      await expect(
        restoreBackup(
          loadConfig({
            env: {},
            cwd: work,
            overrides: { dataDir: path.join(work, 'pg-again'), databaseUrl: empty.url },
          }),
          file,
        ),
      ).rejects.toThrow(/is not empty/);
    },
  );
});

describe('scheduled backups', () => {
  it(
    'run on the maintenance queue with the configured cron and keep the newest N',
    { timeout: 60_000 },
    async () => {
      const app = await seeded('sqlite', { backup: { cron: '0 3 * * *', keep: 2 } });
      await installSchedulers(app.ctx.queues, 'maintenance', maintenanceSchedulers(app.ctx.config));
      const scheduler = await app.ctx.queues.get('maintenance').getJobScheduler(BACKUP_SCHEDULER);
      expect(scheduler).toMatchObject({ pattern: '0 3 * * *', tz: 'Europe/Paris' });

      const deps = { ...app.ctx, log: createLogger('silent') };
      const made: string[] = [];
      for (const day of [1, 2, 3])
        made.push((await runScheduledBackup(deps, new Date(Date.UTC(2026, 11, day, 3)))).file);
      const dir = path.join(app.ctx.config.dataDir, 'backups');
      writeFileSync(path.join(dir, 'keep-me.txt'), 'not an archive');
      expect(readdirSync(dir).sort()).toEqual([
        'herald-20261202T030000Z.tar.gz',
        'herald-20261203T030000Z.tar.gz',
        'keep-me.txt',
      ]);
      expect(existsSync(made[0]!)).toBe(false);
      expect(await pruneBackups(dir, 1)).toEqual(['herald-20261202T030000Z.tar.gz']);

      const noCron = { ...app.ctx.config, backup: { ...app.ctx.config.backup, cron: undefined } };
      await installSchedulers(app.ctx.queues, 'maintenance', maintenanceSchedulers(noCron));
      expect(await app.ctx.queues.get('maintenance').getJobScheduler(BACKUP_SCHEDULER)).toBeFalsy();
    },
  );

  it('refuses a cron pattern that is not one, naming the variable', () => {
    expect(() => loadConfig({ env: { HERALD_BACKUP_CRON: '0 25 * * *' }, cwd: work })).toThrow(
      /HERALD_BACKUP_CRON \(backup\.cron\)/,
    );
  });
});
