import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config/load.js';
import { ITEM_STATUSES, type ItemStatus } from '../domain/item.js';
import { isQueueName, QUEUE_NAMES, type QueueName } from '../queues/names.js';
import { createItem } from '../app/items.js';
import { requestPublish } from '../app/publishing.js';
import { listItems } from '../store/items.js';
import { openStore } from '../store/db.js';
import { migrateToLatest, pendingMigrations } from '../store/migrate.js';
import { withContext } from './with-context.js';
import { printStatus } from './status.js';
import { registerFeedCommands } from './feed.js';
import { registerMemberCommands } from './members.js';
import { registerNewsletterCommands } from './newsletter.js';
import { checkAccounts } from '../app/account-checks.js';
import { registerUserCommands } from './users.js';
import { printChannels, printChecks } from './channels.js';
import { registerOpsCommands } from './ops.js';
import { reportError } from './report-error.js';

/** Queue names of earlier releases, still accepted by `herald worker` for one release. */
const RENAMED_QUEUES: Record<string, QueueName> = { social: 'channel' };

/**
 * The server and the workers (and what they load) only for the commands that run them: `herald --help`
 * and the one-shot commands stay light.
 */
async function runProcess(options: {
  api: boolean;
  /** Queue names as given (none: every queue); unset: no workers. */
  queues?: string[];
  spawnRedis: boolean;
}): Promise<void> {
  const [{ run }, { AVAILABLE_QUEUES }] = await Promise.all([
    import('./run.js'),
    import('../../workers/index.js'),
  ]);
  const queues = options.queues ? queueList(options.queues, AVAILABLE_QUEUES) : [];
  await run({ api: options.api, queues, spawnRedis: options.spawnRedis });
}

function queueList(given: string[], available: QueueName[]): QueueName[] {
  if (given.length === 0) return available;
  const names = given.map((n) => {
    const renamed = RENAMED_QUEUES[n];
    if (!renamed) return n;
    console.warn(`warning: the queue "${n}" is now named "${renamed}"; "herald worker ${n}" is deprecated`);
    return renamed;
  });
  for (const n of names) {
    if (!isQueueName(n) || !available.includes(n))
      throw new InvalidArgumentError(`unknown queue "${n}" (choose from ${available.join(', ')})`);
  }
  return names as QueueName[];
}

export function buildCli(): Command {
  const program = new Command('herald')
    .description('Publishing automation: news items to social channels, feeds and newsletters')
    .showHelpAfterError();

  program
    .command('start')
    .description('API and every worker in one process (a small install)')
    .action(async () => {
      await runProcess({ api: true, queues: [], spawnRedis: true });
    });
  program
    .command('api')
    .description('the HTTP API only')
    .action(async () => {
      await runProcess({ api: true, spawnRedis: false });
    });
  program
    .command('worker')
    .description(`workers only (all queues when none is named: ${QUEUE_NAMES.join(', ')})`)
    .argument('[queue...]', 'queues to work on')
    .action(async (names: string[]) => {
      await runProcess({ api: false, queues: names, spawnRedis: false });
    });
  program
    .command('migrate')
    .description('bring the database schema up to date')
    .option('--dry-run', 'list the migrations that would run, change nothing')
    .action(async (opts: { dryRun?: boolean }) => {
      const config = loadConfig();
      const store = openStore(config.databaseUrl, config.dataDir);
      try {
        if (opts.dryRun) printPending(store.describe(), await pendingMigrations(store));
        else {
          const applied = await migrateToLatest(store);
          console.log(
            applied.length ? `applied: ${applied.join(', ')}` : `${store.describe()} is up to date`,
          );
        }
      } finally {
        await store.close();
      }
    });
  program
    .command('status')
    .description('queue depths, deliveries and items by status, failed deliveries, accounts')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      await withContext((ctx) => printStatus(ctx, opts.json ?? false));
    });

  const item = program.command('item').description('news items');
  item
    .command('add')
    .description(
      'create a draft from a Markdown file with front matter (title, summary, url, tags, language, imageUrl, imageAlt)',
    )
    .argument('<file>', 'Markdown file')
    .action(async (file: string) => {
      const { default: matter } = await import('gray-matter');
      const parsed = matter(readFileSync(file, 'utf8'));
      await withContext(async (ctx) => {
        const created = await createItem(ctx.store, { ...parsed.data, body: parsed.content.trim() }, 'cli', {
          allowPrivateUrls: ctx.config.allowPrivateUrls,
        });
        console.log(`${created.id}  ${created.slug}  (draft)`);
      });
    });
  item
    .command('publish')
    .description('publish now, or at a time (--at 2026-12-03T09:30 --timezone Europe/Paris)')
    .argument('<id>', 'item id')
    .option('--at <datetime>', 'ISO-8601 date-time; without an offset it is read in --timezone')
    .option('--timezone <zone>', 'IANA time zone for --at (default HERALD_TIMEZONE)')
    .option('--channels <ids>', 'comma-separated account ids (default: all)')
    .option('--announce', 'also send the newsletter announcement')
    .action(
      async (id: string, opts: { at?: string; timezone?: string; channels?: string; announce?: boolean }) => {
        await withContext(async (ctx) => {
          const outcome = await requestPublish(ctx, id, {
            at: opts.at,
            timezone: opts.timezone,
            channels: opts.channels
              ?.split(',')
              .map((c) => c.trim())
              .filter(Boolean),
            announce: opts.announce,
            actor: 'cli',
          });
          if (!outcome.changed) console.log(`${id}: this revision is already published; nothing to do`);
          else if (outcome.scheduled)
            console.log(`${id}: scheduled for ${outcome.item.publishAt} (${outcome.item.publishTimezone})`);
          else
            console.log(
              `${id}: published; ${outcome.deliveries.filter((d) => d.status === 'pending').length} deliveries queued`,
            );
        });
      },
    );
  item
    .command('list')
    .description('list items, newest first')
    .option('--status <status>', `only ${ITEM_STATUSES.join('|')}`)
    .option('--limit <n>', 'how many', '20')
    .action(async (opts: { status?: string; limit: string }) => {
      if (opts.status && !ITEM_STATUSES.includes(opts.status as ItemStatus))
        throw new InvalidArgumentError(`--status must be one of ${ITEM_STATUSES.join(', ')}`);
      const config = loadConfig();
      const store = openStore(config.databaseUrl, config.dataDir);
      await migrateToLatest(store);
      const { items, total } = await listItems(store.db, {
        status: opts.status as ItemStatus | undefined,
        limit: Number(opts.limit) || 20,
        offset: 0,
      });
      for (const i of items)
        console.log(
          `${i.id}  ${i.status.padEnd(9)}  r${i.revision}  ${i.publishAt ?? i.publishedAt ?? '-'}  ${i.title}`,
        );
      console.log(`${items.length} of ${total}`);
      await store.close();
    });

  const channels = program.command('channels').description('social channel accounts');
  channels
    .command('list')
    .description('configured accounts: platform, live or dry-run, state')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      await withContext((ctx) => printChannels(ctx, opts.json ?? false));
    });
  channels
    .command('check')
    .description('verify every account now; marks failing ones needs_reconnect')
    .action(async () => {
      await withContext(async (ctx) => {
        const results = await checkAccounts(ctx);
        printChecks(results);
        if (results.some((r) => !r.ok)) process.exitCode = 1;
      });
    });
  registerFeedCommands(program);
  registerMemberCommands(program);
  registerNewsletterCommands(program);
  registerUserCommands(program);
  registerOpsCommands(program);
  return program;
}

function printPending(database: string, pending: string[]): void {
  if (pending.length === 0) return console.log(`${database} is up to date; nothing would run`);
  console.log(`${pending.length} migration(s) would run on ${database}:`);
  for (const name of pending) console.log(`  ${name}`);
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error);
  }
}
