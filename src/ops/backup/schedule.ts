// Scheduled backups: a BullMQ job scheduler on the maintenance queue (src/queues/schedulers.ts; one run per tick
// across every worker) writes `herald-<time>.tar.gz` into the backup dir and keeps the newest N.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { HeraldConfig } from '../../config/schema.js';
import type { Store } from '../../store/db.js';

const NAME = /^herald-\d{8}T\d{6}Z\.tar\.gz$/;

export function backupDir(config: Pick<HeraldConfig, 'backup' | 'dataDir'>): string {
  return path.resolve(config.dataDir, config.backup.dir ?? 'backups');
}

export interface ScheduledBackup {
  file: string;
  removed: string[];
}

export async function runScheduledBackup(
  deps: { config: HeraldConfig; store: Store; log: Logger },
  now = new Date(),
): Promise<ScheduledBackup> {
  const dir = backupDir(deps.config);
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const { createBackup } = await import('./backup.js'); // tar is loaded when a backup runs, not at start
  const { file } = await createBackup(deps, path.join(dir, `herald-${stamp}.tar.gz`), { overwrite: true });
  const removed = await pruneBackups(dir, deps.config.backup.keep);
  deps.log.info({ file, removed }, 'scheduled backup written');
  return { file, removed };
}

/** Deletes all but the newest `keep` scheduled archives (by their time-stamped names); other files are left alone. */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const archives = (await readdir(dir)).filter((name) => NAME.test(name)).sort();
  const old = archives.slice(0, Math.max(0, archives.length - keep));
  for (const name of old) await rm(path.join(dir, name), { force: true });
  return old;
}
