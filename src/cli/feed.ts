import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { ValidationError } from '../domain/errors.js';
import { checkFeed, type FeedCheckReport } from '../ingest/check-feed.js';
import { feedServiceFor } from '../feed/feed-service.js';
import { pollSource, type PollResult } from '../ingest/poll.js';
import { FetchError, safeFetch } from '../net/safe-fetch.js';
import { withContext } from './with-context.js';

/** `herald feed build|check` and `herald ingest run`. */
export function registerFeedCommands(program: Command): void {
  const feed = program.command('feed').description('the RSS, Atom and JSON feeds Herald publishes');
  feed
    .command('build')
    .description('rebuild every feed now (waits for a rebuild running elsewhere)')
    .action(async () => {
      await withContext(async (ctx) => {
        const service = feedServiceFor(ctx);
        const outcome = await service.ensureCurrent('herald feed build', { force: true });
        console.log(
          `published items: ${outcome.items}; feeds: ${outcome.variants.length} (x3 formats); files changed: ${outcome.written.length}; in ${service.dir}`,
        );
      });
    });
  feed
    .command('check')
    .description(
      'read a feed (URL or file; RSS, Atom or JSON Feed) and report what readers and validators would object to',
    )
    .argument('<url-or-file>', 'http(s) URL or path')
    .option('--allow-private', 'allow a URL on a private or loopback address')
    .action(async (target: string, opts: { allowPrivate?: boolean }) => {
      const text = await readFeedText(target, opts.allowPrivate ?? false);
      if (text === null) return;
      const report = await checkFeed(text);
      printReport(target, report);
      if (report.problems.some((p) => p.severity === 'error')) process.exitCode = 1;
    });

  const ingest = program.command('ingest').description('website feeds imported as items');
  ingest
    .command('run')
    .description('poll the configured sources now (all, or those named)')
    .argument('[source...]', 'source ids')
    .action(async (ids: string[]) => {
      await withContext(async (ctx) => {
        const sources = ctx.config.feed.sources.filter((s) => ids.length === 0 || ids.includes(s.id));
        const unknown = ids.filter((id) => !ctx.config.feed.sources.some((s) => s.id === id));
        if (unknown.length > 0)
          throw new ValidationError({
            source: `unknown: ${unknown.join(', ')} (configured: ${ctx.config.feed.sources.map((s) => s.id).join(', ') || 'none'})`,
          });
        if (sources.length === 0)
          console.log('no sources configured (feed.sources in the configuration file)');
        for (const source of sources) printPoll(await pollSource(ctx, source));
      });
    });
}

async function readFeedText(target: string, allowPrivate: boolean): Promise<string | null> {
  if (!/^https?:\/\//i.test(target)) return readFile(target, 'utf8');
  const config = loadConfig();
  try {
    const fetched = await safeFetch(target, {
      allowPrivate: allowPrivate || config.allowPrivateUrls,
      timeoutMs: config.feed.fetchTimeoutMs,
      maxBytes: config.feed.fetchMaxBytes,
    });
    if (fetched.notModified) throw new Error('unexpected 304');
    return fetched.body;
  } catch (error) {
    if (!(error instanceof FetchError)) throw error;
    console.error(`herald: ${error.reason}`);
    process.exitCode = 1;
    return null;
  }
}

function printReport(target: string, report: FeedCheckReport): void {
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  const warnings = report.problems.length - errors;
  console.log(
    `${target}: ${report.format}, ${report.entries} entries, ${errors} errors, ${warnings} warnings`,
  );
  for (const p of report.problems) console.log(`  ${p.severity.padEnd(7)} ${p.where}: ${p.message}`);
}

function printPoll(result: PollResult): void {
  if (!result.ok) {
    process.exitCode = 1;
    console.log(`${result.sourceId.padEnd(16)} FAILED (${result.error?.kind}): ${result.error?.reason}`);
    return;
  }
  if (result.notModified) {
    console.log(`${result.sourceId.padEnd(16)} not modified since the last poll`);
    return;
  }
  console.log(
    `${result.sourceId.padEnd(16)} ${result.entries} entries, ${result.created.length} new items, ${result.skipped.length} skipped`,
  );
  for (const s of result.skipped) console.log(`  skipped ${s.key ?? '(no key)'}: ${s.reason}`);
}
