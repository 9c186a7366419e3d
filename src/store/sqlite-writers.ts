// Worker processes that write to one SQLite file. SQLite lets one writer in at a time, so several worker
// processes on one file mostly wait for each other; each announces itself with a file in `<database>.writers/`
// so that the next one (and `herald doctor`) can say so. Files, not rows: a process that crashed leaves its file
// behind, and its pid (gone) or its heartbeat (stale, for a pid reused or another machine) tells it apart.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { processExists } from './leases.js';

export interface SqliteWriter {
  pid: number;
  host: string;
  queues: string[];
  startedAt: string;
}

const HEARTBEAT_MS = 20_000;
/** A file not touched for this long belongs to a process that is gone (three missed heartbeats). */
const STALE_MS = 3 * HEARTBEAT_MS;

const directoryOf = (databaseFile: string) => `${databaseFile}.writers`;
const fileNameOf = (host: string, pid: number) => `${host}.${pid}.json`;

/** The worker processes on this SQLite file now, other than this one; leftovers of dead ones are removed. */
export function otherSqliteWriters(databaseFile: string): SqliteWriter[] {
  const directory = directoryOf(databaseFile);
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  const own = fileNameOf(hostname(), process.pid);
  return names.flatMap((name) => {
    if (name === own) return [];
    const writer = liveWriter(path.join(directory, name));
    return writer ? [writer] : [];
  });
}

function liveWriter(file: string): SqliteWriter | null {
  try {
    const fresh = Date.now() - statSync(file).mtimeMs < STALE_MS;
    const writer = JSON.parse(readFileSync(file, 'utf8')) as SqliteWriter;
    const alive = fresh && (writer.host !== hostname() || processExists(writer.pid));
    if (alive) return writer;
  } catch {
    // unreadable or half-written: judged like a dead process's file
  }
  rmSync(file, { force: true });
  return null;
}

export interface SqliteWriterAnnouncement {
  /** Stops the heartbeat and removes this process's file. */
  withdraw(): void;
}

/** Announces this process as a worker process on the file, with a heartbeat; `onOthers` hears of every other one once. */
export function announceSqliteWriter(
  databaseFile: string,
  queues: readonly string[],
  onOthers: (newcomers: SqliteWriter[], all: SqliteWriter[]) => void,
): SqliteWriterAnnouncement {
  const directory = directoryOf(databaseFile);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const file = path.join(directory, fileNameOf(hostname(), process.pid));
  const writer: SqliteWriter = {
    pid: process.pid,
    host: hostname(),
    queues: [...queues],
    startedAt: new Date().toISOString(),
  };
  writeFileSync(file, JSON.stringify(writer));
  const known = new Set<string>();
  const look = () => {
    const others = otherSqliteWriters(databaseFile);
    const newcomers = others.filter((w) => !known.has(`${w.host}.${w.pid}`));
    for (const w of newcomers) known.add(`${w.host}.${w.pid}`);
    if (newcomers.length > 0) onOthers(newcomers, others);
  };
  look();
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(file, now, now);
      look();
    } catch {
      writeFileSync(file, JSON.stringify(writer)); // removed by hand (or by a clean-up): announce again
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    withdraw() {
      clearInterval(heartbeat);
      rmSync(file, { force: true });
    },
  };
}
