import type { Kysely } from 'kysely';
import type { FeedSourceConfig } from '../config/feed.js';
import type { Database } from '../store/schema.js';
import { listSourceStates, type SkippedEntry } from '../store/feed-sources.js';

export interface SourceStatus {
  id: string;
  /** The configured URL with any password or key-like query value masked. */
  url: string;
  mode: FeedSourceConfig['mode'];
  language: string | null;
  everyMinutes: number;
  lastPolledAt: string | null;
  lastSuccessAt: string | null;
  /** Why the last poll failed (null after a success); the next scheduled poll tries again. */
  lastError: { kind: string; reason: string; at: string } | null;
  consecutiveFailures: number;
  itemsCreated: number;
  /** Entries the last poll could not import, with the reason. */
  skippedEntries: SkippedEntry[];
}

/** Configured sources joined with what their polls recorded (never polled: all nulls). */
export async function describeSources(
  db: Kysely<Database>,
  sources: readonly FeedSourceConfig[],
): Promise<SourceStatus[]> {
  const states = new Map((await listSourceStates(db)).map((s) => [s.id, s]));
  return sources.map((source) => {
    const state = states.get(source.id);
    const current = state && state.url === source.url ? state : undefined;
    return {
      id: source.id,
      url: maskUrl(source.url),
      mode: source.mode,
      language: source.language ?? null,
      everyMinutes: source.everyMinutes,
      lastPolledAt: current?.lastPolledAt ?? null,
      lastSuccessAt: current?.lastSuccessAt ?? null,
      lastError: current?.lastError ?? null,
      consecutiveFailures: current?.consecutiveFailures ?? 0,
      itemsCreated: state?.itemsCreated ?? 0,
      skippedEntries: current?.lastSkipped ?? [],
    };
  });
}

const SECRET_PARAM = /(token|key|secret|pass|auth|sig|session|credential)/i;

/** A URL fit to show: password and secret-looking query values replaced by `***`. */
export function maskUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    for (const name of [...url.searchParams.keys()])
      if (SECRET_PARAM.test(name)) url.searchParams.set(name, '***');
    return url.href;
  } catch {
    return '(invalid URL)';
  }
}
