import type { SqliteWriter } from '../store/sqlite-writers.js';

/** What to do when several worker processes share one SQLite file (start-up warning and `herald doctor`). */
export const SQLITE_SHARING_FIX =
  'run one worker process (`herald start`, or one `herald worker`) and raise HERALD_DELIVERY_CONCURRENCY instead; several worker processes are for PostgreSQL (README, "Running on several machines")';

/** Plain words for the worker processes found on one SQLite file, this one included when `withThis`. */
export function sqliteSharingMessage(
  file: string,
  others: readonly SqliteWriter[],
  withThis: boolean,
): string {
  const list = others.map((w) => `pid ${w.pid} on ${w.host} (${w.queues.join(', ')})`).join('; ');
  const count = others.length + (withThis ? 1 : 0);
  return `${count} worker processes share the SQLite file ${file} (${withThis ? 'this one and ' : ''}${list}): SQLite lets one writer in at a time, so they wait for each other`;
}
