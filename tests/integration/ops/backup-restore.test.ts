// A backup taken while items publish and a newsletter goes out, restored into a fresh data dir and an empty
// Redis: every row is there, the reconciler finishes what was pending exactly once against the fakes, and
// the newsletter waits for a person. Damaged archives and non-empty targets are refused.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import type { HeraldConfig } from '../../../src/config/schema.js';
import { createContext, type Context } from '../../../src/app/context.js';
import { createLogger } from '../../../src/log.js';
import { createBackup } from '../../../src/ops/backup/backup.js';
import { restoreBackup } from '../../../src/ops/backup/restore.js';
import { resumeSend } from '../../../src/newsletter/send-flow.js';
import type { Store } from '../../../src/store/db.js';
import { startWorkers, type RunningWorkers } from '../../../workers/index.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { startTestApp, waitFor, type TestApp } from '../../helpers/app.js';
import { fakeSettings } from '../../helpers/fake-env.js';
import { publishSample } from '../../helpers/publish.js';
import { deletePrefix, TEST_REDIS, uniquePrefix } from '../../helpers/redis.js';
import { countByRecipient, seedContacts } from '../../helpers/newsletter.js';
import { startFakes, type Fakes } from '../../helpers/social.js';

const CONTACTS = 40;
const TABLES = ['items', 'deliveries', 'contacts', 'newsletter_recipients'] as const;

let fakes: Fakes;
let smtp: FakeSmtp;
let original: TestApp;
let settings: Record<string, unknown>;
const work = mkdtempSync(path.join(tmpdir(), 'herald-backup-test-'));
const archive = path.join(work, 'herald.tar.gz');

beforeAll(async () => {
  [fakes, smtp] = await Promise.all([startFakes(), startFakeSmtp()]);
  settings = fakeSettings({ ...fakes, smtp }, { newsletter: { messagesPerSecond: 8 } });
  original = await startTestApp('sqlite', settings);
  await seedContacts(original, CONTACTS);
});

afterAll(async () => {
  await original?.close();
  await Promise.all([fakes?.close(), smtp?.close()]);
  rmSync(work, { recursive: true, force: true });
});

const publish = (ctx: Context, n: number, announce = false) => publishSample(ctx, n, { announce });

async function ids(store: Store, table: (typeof TABLES)[number]): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`select id from ${sql.table(table)} order by id`.execute(
    store.db,
  );
  return rows.map((r) => r.id);
}

async function count(store: Store, query: string): Promise<number> {
  const { rows } = await sql.raw<{ n: number | string }>(query).execute(store.db);
  return Number(rows[0]!.n);
}

/** A config for a restored installation: the same services, another data dir and Redis prefix. */
function restoredConfig(dataDir: string, extra: Record<string, unknown> = {}): HeraldConfig {
  return loadConfig({
    env: {},
    cwd: work,
    overrides: {
      ...settings,
      dataDir,
      queuePrefix: uniquePrefix('restored'),
      logLevel: 'silent',
      apiToken: 'test-token-0123456789abcdef',
      allowPrivateUrls: true,
      delivery: { backoffMs: 100, lockMs: 5_000, reconcileEveryMs: 500 },
      ...extra,
    },
  });
}

/** Posts on the fakes that link to `url` (and not to report-10 when the url ends in report-1). */
const postsFor = (url: string) => {
  const links = (text: string | null) =>
    text !== null && new RegExp(`${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![\\w-])`).test(text);
  return {
    twitter: fakes.twitter.posts.filter((p) => !p.deleted && links(p.text)).length,
    facebook: fakes.facebook.posts.filter((p) => links(p.link) || links(p.message)).length,
  };
};

describe('backup during load, restore, start', () => {
  let before: Record<string, string[]>;
  let restored: Context;
  let workers: RunningWorkers;
  let newsletterId: string;

  afterAll(async () => {
    await workers?.close(5_000);
    await restored?.close();
    if (restored) await deletePrefix(restored.config.queuePrefix);
  });

  it(
    'restores every row, and the reconciler finishes each pending delivery exactly once',
    { timeout: 180_000 },
    async () => {
      const running = original.startWorkers(['publish', 'channel', 'feed', 'newsletter']);
      await publish(original.ctx, 1, true);
      for (let n = 2; n <= 6; n++) await publish(original.ctx, n);
      newsletterId = await waitFor(
        async () => {
          const { rows } = await sql<{
            id: string;
          }>`select id from newsletters where status = 'sending'`.execute(original.ctx.store.db);
          return rows[0] &&
            (await count(
              original.ctx.store,
              "select count(*) as n from newsletter_recipients where status = 'sent'",
            )) >= 3
            ? rows[0].id
            : null;
        },
        60_000,
        'the newsletter half sent',
      );
      before = Object.fromEntries(
        await Promise.all(TABLES.map(async (t) => [t, await ids(original.ctx.store, t)] as const)),
      );

      // More items go out while the backup is written; then the original stops (a lost machine).
      const more = (async () => {
        for (let n = 7; n <= 12; n++) await publish(original.ctx, n);
      })();
      const report = await createBackup(original.ctx, archive);
      await more;
      await running.close(5_000);

      expect(report.notes[0]).toContain('holds secrets');
      expect(statSync(archive).mode & 0o777).toBe(0o600);
      const rows = report.manifest.database.rows;
      for (const table of TABLES) expect(rows[table], table).toBeGreaterThanOrEqual(before[table]!.length);

      const dataDir = path.join(work, 'restored');
      const result = await restoreBackup(restoredConfig(dataDir), archive);
      expect(result.after?.pausedNewsletters).toEqual([newsletterId]);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(dataDir, 'herald.db')).mode & 0o777).toBe(0o600);

      restored = await createContext(restoredConfig(dataDir), {
        redis: TEST_REDIS,
        log: createLogger('silent'),
      });
      for (const table of TABLES) {
        const now = await ids(restored.store, table);
        expect(now.length, table).toBe(rows[table]);
        for (const id of before[table]!) expect(now, `${table} ${id}`).toContain(id);
      }
      const openAtRestore = await count(
        restored.store,
        "select count(*) as n from deliveries where status in ('pending', 'running')",
      );
      const messagesAtRestore = smtp.messages.length;

      // A fresh Redis (its own prefix) knows no job: the reconciler restores them from the database.
      workers = startWorkers(restored, ['publish', 'channel', 'feed', 'newsletter', 'maintenance']);
      await waitFor(
        async () =>
          (await count(
            restored.store,
            "select count(*) as n from deliveries where status in ('pending', 'running')",
          )) === 0,
        90_000,
        'every restored delivery finished',
      );
      expect(openAtRestore).toBeGreaterThan(0);
      const { rows: items } = await sql<{
        id: string;
        url: string;
      }>`select id, url from items where status = 'published'`.execute(restored.store.db);
      for (const item of items) {
        const states = await sql<{
          target: string;
          status: string;
        }>`select target, status from deliveries where item_id = ${item.id} and kind = 'channel'`.execute(
          restored.store.db,
        );
        for (const d of states.rows) expect(d.status, `${item.url} on ${d.target}`).toBe('done');
        expect(postsFor(item.url), item.url).toEqual({ twitter: 1, facebook: 1 });
      }

      // The newsletter that was going out waits for a person: nothing was sent by the restored install on its own.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(smtp.messages.length).toBe(messagesAtRestore);
      // Rows the backup had open (claims it held are ended by the restore): resuming sends them.
      const { rows: openRows } = await sql<{
        email: string;
      }>`select email from newsletter_recipients where newsletter_id = ${newsletterId} and status in ('pending', 'deferred')`.execute(
        restored.store.db,
      );
      const statusIn = async (store: Store, email: string) =>
        (
          await sql<{
            status: string;
          }>`select status from newsletter_recipients where email = ${email}`.execute(store.db)
        ).rows[0]?.status;
      const { rows: sentByOriginal } = await sql<{
        email: string;
      }>`select email from newsletter_recipients where newsletter_id = ${newsletterId} and status = 'sent'`.execute(
        original.ctx.store.db,
      );
      await resumeSend(restored, newsletterId, 'test');
      await waitFor(
        async () =>
          (await count(
            restored.store,
            `select count(*) as n from newsletters where id = '${newsletterId}' and status = 'sent'`,
          )) === 1,
        60_000,
        'the resumed newsletter sent',
      );
      // Resuming sends what the backup had open; the messages that went out between the backup and the loss
      // are exactly the ones a person accepts to send twice by resuming.
      const received = countByRecipient(smtp.messages.filter((m) => m.envelope.to.length === 1));
      const twice = new Set(
        openRows.map((r) => r.email).filter((e) => sentByOriginal.some((s) => s.email === e)),
      );
      for (let i = 0; i < CONTACTS; i++) {
        const email = [...received.keys()].find((k) => k.startsWith(`contact${i}@`))!;
        const where = `${email}: backup ${await statusIn(restored.store, email)}, original ${await statusIn(original.ctx.store, email)}`;
        expect(received.get(email), where).toBe(twice.has(email) ? 2 : 1);
      }
    },
  );
});

describe('restore refuses', () => {
  const damaged = (name: string, bytes: Buffer) => {
    const file = path.join(work, name);
    writeFileSync(file, bytes);
    return file;
  };

  it(
    'a truncated, a corrupted, a tampered and a foreign archive, with a clear message',
    { timeout: 60_000 },
    async () => {
      if (!existsSync(archive)) await createBackup(original.ctx, archive);
      const bytes = readFileSync(archive);
      const flipped = Buffer.from(bytes);
      const middle = Math.floor(flipped.length / 2);
      flipped.writeUInt8(flipped.readUInt8(middle) ^ 0xff, middle);
      const unpacked = path.join(work, 'unpacked');
      mkdirSync(unpacked);
      await tar.x({ file: archive, cwd: unpacked });
      writeFileSync(
        path.join(unpacked, 'database', 'herald.db'),
        Buffer.concat([readFileSync(path.join(unpacked, 'database', 'herald.db')), Buffer.from('x')]),
      );
      const tampered = path.join(work, 'tampered.tar.gz');
      await tar.c({ file: tampered, gzip: true, cwd: unpacked }, ['.']);
      const foreignDir = mkdtempSync(path.join(work, 'foreign-'));
      writeFileSync(path.join(foreignDir, 'notes.txt'), 'not a backup');
      const foreign = path.join(work, 'foreign.tar.gz');
      await tar.c({ file: foreign, gzip: true, cwd: foreignDir }, ['notes.txt']);

      const cases: Array<[string, RegExp]> = [
        [
          damaged('truncated.tar.gz', bytes.subarray(0, Math.floor(bytes.length / 2))),
          /is damaged or is not a Herald backup \(.*(unexpected end|truncated|TAR_BAD_ARCHIVE).*\); nothing was restored/i,
        ],
        [damaged('flipped.tar.gz', flipped), /is damaged or is not a Herald backup/],
        [tampered, /database\/herald\.db does not match its checksum/],
        [foreign, /no readable herald-backup\.json/],
      ];
      for (const [file, message] of cases) {
        const target = path.join(work, `target-${path.basename(file)}`);
        await expect(restoreBackup(restoredConfig(target), file)).rejects.toThrow(message);
        expect(existsSync(target), `${file} left ${target}`).toBe(false);
      }
    },
  );

  it('to overwrite a data dir that is not empty, or an existing archive', async () => {
    const used = path.join(work, 'used');
    mkdirSync(used);
    writeFileSync(path.join(used, 'herald.db'), 'precious');
    await expect(restoreBackup(restoredConfig(used), archive)).rejects.toThrow(
      /is not empty: restore goes into a fresh data dir and never overwrites/,
    );
    expect(readFileSync(path.join(used, 'herald.db'), 'utf8')).toBe('precious');
    await expect(createBackup(original.ctx, archive)).rejects.toThrow(/already exists/);
  });
});
