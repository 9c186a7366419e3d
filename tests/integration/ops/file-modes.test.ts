import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { securePrivateFiles } from '../../../src/ops/file-modes.js';

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

describe('file modes in the data dir', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'herald-modes-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a fresh data dir is 0700 and everything Herald writes in it 0600 (umask set at start)', async () => {
    const dataDir = path.join(root, 'fresh', 'data');
    const env = {
      ...process.env,
      HERALD_DATA_DIR: dataDir,
      DATABASE_URL: '',
      HERALD_CONFIG: '',
      LOG_LEVEL: 'warn',
    };
    const child = spawnHerald(['migrate'], env);
    expect(await waitForExit(child, 60_000), child.output()).toBe(0);
    expect(mode(dataDir)).toBe('700');
    const files = readdirSync(dataDir);
    expect(files).toContain('herald.db');
    for (const file of files) expect(`${file} ${mode(path.join(dataDir, file))}`).toBe(`${file} 600`);
  }, 90_000);

  it('at start, an existing data dir and its secret-bearing files are made private', () => {
    const dataDir = path.join(root, 'old');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    for (const name of [
      'herald.db',
      'herald.db-wal',
      'api-token',
      'session-secret',
      'newsletter-token-key',
    ]) {
      writeFileSync(path.join(dataDir, name), 'x');
      chmodSync(path.join(dataDir, name), 0o644);
    }
    expect(securePrivateFiles(dataDir, path.join(dataDir, 'herald.db'))).toEqual([]);
    expect(mode(dataDir)).toBe('700');
    for (const name of readdirSync(dataDir))
      expect(`${name} ${mode(path.join(dataDir, name))}`).toBe(`${name} 600`);
    expect(existsSync(path.join(dataDir, 'herald.db-shm'))).toBe(false); // nothing is created
  });
});
