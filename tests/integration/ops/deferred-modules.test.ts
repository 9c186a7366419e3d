import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDeferredModules, checkDeferredModulesInBackground } from '../../../src/ops/deferred-modules.js';
import { createLogger } from '../../../src/log.js';

function brokenModule(): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'herald-deferred-')), 'broken.mjs');
  writeFileSync(file, "throw new Error('native binding missing');\n");
  return pathToFileURL(file).href;
}

describe('the check of the packages loaded on first use', () => {
  it('loads every deferred package of this install', async () => {
    expect(await checkDeferredModules()).toEqual([]);
  });

  it('names a package that is not installed and one that throws while loading', async () => {
    const broken = brokenModule();
    const failures = await checkDeferredModules(['yaml', 'herald-no-such-package', broken]);
    expect(failures.map((f) => f.module)).toEqual(['herald-no-such-package', broken]);
    expect(failures[0]!.error).toMatch(/herald-no-such-package/);
    expect(failures[1]!.error).toBe('native binding missing');
  });

  it('logs each failure as an error after start', async () => {
    const lines: string[] = [];
    const log = createLogger('info', { destination: { write: (line: string) => void lines.push(line) } });
    checkDeferredModulesInBackground(log, ['herald-no-such-package']);
    await expect.poll(() => lines.length, { timeout: 60_000 }).toBe(1);
    const entry = JSON.parse(lines[0]!) as { level: number; module: string; msg: string };
    expect(entry).toMatchObject({ level: 50, module: 'herald-no-such-package' });
    expect(entry.msg).toMatch(/cannot be loaded/);
  });
});
