import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFERRED_MODULES } from '../../../src/ops/deferred-modules.js';
import { ROOT } from '../../helpers/processes.js';

// A loader hook logs every ES module file loaded; on exit, the CommonJS ones (require.cache) are added.
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.MODULE_LOG, new URL(url).pathname + '\\n');
  return next(url, context);
}`;
const PROBE = `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(process.env.MODULE_LOG, Object.keys(require.cache).join('\\n') + '\\n'));
const entries = JSON.parse(process.env.ENTRIES);
process.argv = [process.argv[0], 'herald', ...JSON.parse(process.env.ARGS)];
for (const entry of entries) await import(entry);
process.exit(0);`;

/** The files a fresh Node process loads to import `entries` (TypeScript sources, through tsx). */
function loadedFiles(entries: string[], args: string[] = []): Promise<string[]> {
  const log = path.join(mkdtempSync(path.join(os.tmpdir(), 'herald-graph-')), 'modules.log');
  const env = {
    ...process.env,
    MODULE_LOG: log,
    ENTRIES: JSON.stringify(
      entries.map((e) => (e.startsWith('data:') ? e : pathToFileURL(path.join(ROOT, e)).href)),
    ),
    ARGS: JSON.stringify(args),
  };
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', PROBE],
      { cwd: ROOT, env, timeout: 60_000 },
      (error, _stdout, stderr) =>
        error
          ? reject(new Error(`${error.message}\n${stderr}`))
          : resolve(readFileSync(log, 'utf8').split('\n')),
    ),
  );
}

const packagesIn = (files: string[]) =>
  new Set(files.flatMap((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? []));

describe("herald start's module graph", () => {
  it('loads the server and the workers without any deferred package', async () => {
    const files = await loadedFiles(['src/cli/run.ts', 'workers/index.ts']);
    const packages = packagesIn(files);
    expect(packages.has('fastify') && packages.has('bullmq')).toBe(true); // the probe sees packages
    expect(DEFERRED_MODULES.filter((m) => packages.has(m))).toEqual([]);
    expect(packages.has('@bull-board/api')).toBe(true); // still at start: registered with the server
  });

  it('`herald --help` loads neither the server, the workers nor a deferred package', async () => {
    const files = await loadedFiles(['src/main.ts'], ['--help']);
    const packages = packagesIn(files);
    expect(packages.has('commander')).toBe(true);
    expect(DEFERRED_MODULES.filter((m) => packages.has(m))).toEqual([]);
    expect(['fastify', '@bull-board/api'].filter((m) => packages.has(m))).toEqual([]);
    expect(files.some((f) => f.endsWith('src/http/server.ts') || f.includes('/workers/'))).toBe(false);
  });

  it('sees the packages loaded by require() and by import()', async () => {
    const requireURL = pathToFileURL(path.join(ROOT, 'package.json')).href;
    const code = [
      "import { createRequire } from 'node:module';",
      "import { pathToFileURL } from 'node:url';",
      `const required = createRequire('${requireURL}');`,
      "required('twitter-text');",
      "await import(pathToFileURL(required.resolve('imapflow')).href);",
    ].join('\n');
    const packages = packagesIn(await loadedFiles([`data:text/javascript,${encodeURIComponent(code)}`]));
    expect(['twitter-text', 'imapflow'].filter((m) => packages.has(m))).toEqual(['twitter-text', 'imapflow']);
  });
});
