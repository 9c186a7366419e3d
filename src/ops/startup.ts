import type { Context } from '../app/context.js';
import { countUsers } from '../store/users.js';
import { redactUrl } from '../store/db.js';
import { describeRedis } from '../redis/connection.js';
import { getHeapStatistics } from 'node:v8';
import { heraldVersion } from './version.js';
import { givenHeapMb } from '../config/heap.js';

export interface StartupFacts {
  /** Where the API listens (unset: workers only). */
  url?: string | undefined;
  queues: readonly string[];
  /** The generated API token's file, when Herald made one. */
  apiTokenFile?: string | null | undefined;
  metricsUrl?: string | undefined;
}

export interface StartupLine {
  msg: string;
  fields: Record<string, unknown>;
}

/**
 * The first lines an operator reads after start: where Herald listens, where its data is, which channels
 * are live or in dry-run, and what to do next. Plain words in `msg`; the same facts as fields for machines.
 */
export async function startupLines(ctx: Context, facts: StartupFacts): Promise<StartupLine[]> {
  const { config } = ctx;
  const lines: StartupLine[] = [];
  const version = heraldVersion();
  if (facts.url)
    lines.push({
      msg: `Herald ${version} listening on ${facts.url} (people reach it at ${config.publicUrl})`,
      fields: { url: facts.url, publicUrl: config.publicUrl, version },
    });
  if (facts.queues.length > 0)
    lines.push({
      msg: `workers running for the queues ${facts.queues.join(', ')}; ${heapWords(config.workerHeapMb)}`,
      fields: {
        queues: facts.queues,
        version,
        heapMb: givenHeapMb(process.execArgv, process.env),
        heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
      },
    });
  const database = ctx.store.describe();
  const redis = describeRedis(ctx.redis);
  lines.push({
    msg: `data in ${config.dataDir} (database: ${database}; Redis: ${redis})`,
    fields: { dataDir: config.dataDir, database, redis },
  });
  lines.push(channelsLine(ctx));
  lines.push(mailLine(ctx));
  if (facts.metricsUrl)
    lines.push({ msg: `metrics at ${facts.metricsUrl}`, fields: { metrics: facts.metricsUrl } });
  if (facts.url) lines.push(await nextStep(ctx, facts.apiTokenFile));
  return lines;
}

function channelsLine(ctx: Context): StartupLine {
  const accounts = ctx.channels.accounts();
  const live = accounts.filter((a) => a.mode === 'live').map((a) => a.id);
  const dryRun = accounts.filter((a) => a.mode === 'dry-run').map((a) => a.id);
  const parts = [
    live.length ? `live: ${live.join(', ')}` : 'none live',
    dryRun.length
      ? `dry-run: ${dryRun.join(', ')} (posts are recorded, not sent; credentials make them live, see docs/social.md)`
      : '',
  ];
  return { msg: `channels ${parts.filter(Boolean).join('; ')}`, fields: { live, dryRun } };
}

function mailLine(ctx: Context): StartupLine {
  const smtp = ctx.config.newsletter.smtpUrl;
  if (smtp)
    return { msg: `newsletters are sent through ${redactUrl(smtp)}`, fields: { mail: redactUrl(smtp) } };
  return {
    msg: 'newsletters in dry-run: messages are written as .eml files in the data dir (set SMTP_URL to send them)',
    fields: { mail: 'dry-run' },
  };
}

async function nextStep(ctx: Context, apiTokenFile: string | null | undefined): Promise<StartupLine> {
  const signIn = `${ctx.config.publicUrl}/login`;
  const users = await countUsers(ctx.store.db).catch(() => null);
  const token = apiTokenFile ? `; the API token is in ${apiTokenFile}` : '';
  if (users === 0) {
    return {
      msg: `next step: create an administrator with \`herald users add you@example.org --role admin\`, then sign in at ${signIn}${token}`,
      fields: { signIn, staffUsers: 0 },
    };
  }
  return { msg: `sign in at ${signIn}${token}`, fields: { signIn, staffUsers: users } };
}

/** The heap bound this process got (src/cli/launcher.ts gives it), against the configured one. */
function heapWords(configuredMb: number): string {
  const given = givenHeapMb(process.execArgv, process.env);
  if (given === null)
    return configuredMb === 0
      ? "heap: V8's own limit (workerHeapMb 0)"
      : `heap not bounded: started without bin/herald.js, which gives it ${configuredMb} MB (workerHeapMb)`;
  const differs = configuredMb !== given ? ` (Node was given it; workerHeapMb says ${configuredMb})` : '';
  return `heap bounded at ${given} MB${differs}`;
}
