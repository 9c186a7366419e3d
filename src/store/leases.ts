import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { HeraldError } from '../domain/errors.js';

type Db = Kysely<Database>;

/** Someone else held the lease for longer than we were willing to wait. */
export class LeaseTimeoutError extends HeraldError {
  constructor(
    readonly leaseName: string,
    waitedMs: number,
  ) {
    super(
      `"${leaseName}" stayed busy for ${Math.round(waitedMs / 1000)} s (another process is working on it)`,
      {
        code: 'lease_timeout',
        httpStatus: 503,
        errorClass: 'transient',
      },
    );
  }
}

export interface LeaseOptions {
  /** The lease frees itself this long after its last renewal, should its holder die. */
  ttlMs: number;
  /** How long to wait for a busy lease. */
  waitMs: number;
  /** How often to try again while it is busy. */
  pollMs?: number;
}

const expiry = (ttlMs: number) => new Date(Date.now() + ttlMs).toISOString();

/**
 * Takes the named lease if it is free or expired. One UPDATE decides, so two processes (or two jobs
 * in one process) can never both win. The database is the system of record, so the lease survives a
 * Redis flush, unlike a Redis lock.
 */
export async function tryAcquireLease(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  await db
    .insertInto('leases')
    .values({ name, holder: null, expiresAt: null })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const now = new Date().toISOString();
  const result = await db
    .updateTable('leases')
    .set({ holder, expiresAt: expiry(ttlMs) })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('holder', 'is', null), eb('expiresAt', '<', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Frees the lease if its holder is a process of this machine that no longer exists (killed while
 * holding it), so that work resumes at once instead of after the lease expires.
 */
export async function freeLeaseOfDeadProcess(db: Db, name: string): Promise<boolean> {
  const row = await db.selectFrom('leases').select('holder').where('name', '=', name).executeTakeFirst();
  const [host, pid] = (row?.holder ?? '').split(':');
  if (!row?.holder || host !== hostname() || !pid || processExists(Number(pid))) return false;
  const result = await db
    .updateTable('leases')
    .set({ holder: null, expiresAt: null })
    .where('name', '=', name)
    .where('holder', '=', row.holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** True unless this machine has no process with this pid. */
export function processExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true; // not ours to judge
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Extends our lease; false when it was lost (expired and taken by someone else). */
export async function renewLease(db: Db, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const result = await db
    .updateTable('leases')
    .set({ expiresAt: expiry(ttlMs) })
    .where('name', '=', name)
    .where('holder', '=', holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db
    .updateTable('leases')
    .set({ holder: null, expiresAt: null })
    .where('name', '=', name)
    .where('holder', '=', holder)
    .execute();
}

/** Runs `fn` holding the lease (waiting for it if busy), renewing it meanwhile, and releases it after. */
export async function withLease<T>(
  db: Db,
  name: string,
  options: LeaseOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const holder = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  const started = Date.now();
  while (!(await tryAcquireLease(db, name, holder, options.ttlMs))) {
    if (await freeLeaseOfDeadProcess(db, name)) continue;
    if (Date.now() - started > options.waitMs) throw new LeaseTimeoutError(name, Date.now() - started);
    const pollMs = options.pollMs ?? 50;
    await new Promise((resolve) => setTimeout(resolve, pollMs / 2 + Math.random() * pollMs));
  }
  const renew = setInterval(
    () => void renewLease(db, name, holder, options.ttlMs).catch(() => undefined),
    Math.max(1_000, options.ttlMs / 3),
  );
  renew.unref();
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    await releaseLease(db, name, holder).catch(() => undefined);
  }
}
