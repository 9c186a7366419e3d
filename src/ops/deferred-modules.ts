// The packages Herald loads on first use rather than at start (src/lazy-module.ts and dynamic imports):
// a broken or missing one would otherwise be found only by the first post, upload or newsletter that
// needs it. This check loads them all once, in a short-lived child process so that the server keeps
// its small start-up memory, and says which cannot load.
import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

export const DEFERRED_MODULES = [
  '@atproto/api',
  '@aws-sdk/client-s3',
  'gray-matter',
  'html-to-text',
  'imapflow',
  'mailparser',
  'nodemailer',
  'pg',
  'rss-parser',
  'sanitize-html',
  'sharp',
  'twitter-api-v2',
  'twitter-text',
  'yaml',
] as const;

export interface DeferredLoadFailure {
  module: string;
  error: string;
}

// Imports each given address in turn; prints the failures as one JSON line.
const LOADER = `
const failures = [];
for (const [module, url] of JSON.parse(process.argv[1])) {
  try { await import(url); } catch (error) { failures.push({ module, error: String(error?.message ?? error).split('\\n')[0] }); }
}
process.stdout.write(JSON.stringify(failures));
`;

function resolved(module: string): string | DeferredLoadFailure {
  try {
    return import.meta.resolve(module);
  } catch (error) {
    return { module, error: (error as Error).message.split('\n')[0]! };
  }
}

/** Loads every deferred module (in a child process); resolves with those that cannot load, none when all can. */
export async function checkDeferredModules(
  modules: readonly string[] = DEFERRED_MODULES,
  timeoutMs = 120_000,
): Promise<DeferredLoadFailure[]> {
  const found = modules.map((m) => [m, resolved(m)] as const);
  const missing = found.flatMap(([, r]) => (typeof r === 'string' ? [] : [r]));
  const toLoad = found.flatMap(([m, r]) => (typeof r === 'string' ? [[m, r]] : []));
  const output = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--input-type=module', '-e', LOADER, JSON.stringify(toLoad)],
      { timeout: timeoutMs, maxBuffer: 1_048_576 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`the module check stopped: ${stderr.trim() || error.message}`))
          : resolve(stdout),
    ),
  );
  return [...missing, ...(JSON.parse(output) as DeferredLoadFailure[])];
}

/** After start: the check in the background, each module that cannot load logged as an error. */
export function checkDeferredModulesInBackground(
  log: Logger,
  modules: readonly string[] = DEFERRED_MODULES,
): void {
  checkDeferredModules(modules).then(
    (failures) => {
      for (const { module, error } of failures)
        log.error(
          { module, err: error },
          `the package ${module} cannot be loaded: what needs it (a post, an upload, a newsletter...) will fail; reinstall Herald's dependencies (npm ci)`,
        );
    },
    (error: Error) =>
      log.error({ err: error.message }, 'could not check the packages Herald loads on first use'),
  );
}
