import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { memberProblem, type StaffRole, type StaffUser, type StaffUserPatch } from '../domain/staff.js';
import type { Database, StaffSessionsTable, StaffUsersTable } from './schema.js';
import { nowIso } from './db.js';
import { newId } from './ids.js';
import { foundOrThrow } from './found.js';

type Db = Kysely<Database>;

function rowToUser(row: Selectable<StaffUsersTable>): StaffUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as StaffRole,
    memberId: row.memberId,
    timezone: row.timezone,
    language: row.language,
    disabled: row.disabled === 1,
    passwordChangedAt: row.passwordChangedAt,
    lastLoginAt: row.lastLoginAt,
    createdAt: row.createdAt,
  };
}

export async function insertUser(
  db: Db,
  user: {
    email: string;
    name: string;
    role: StaffRole;
    passwordHash: string;
    timezone: string | null;
    memberId: string | null;
  },
): Promise<StaffUser> {
  if (await findUserByEmail(db, user.email))
    throw new ConflictError(`a staff account for ${user.email} already exists`, 'user_exists');
  const now = nowIso();
  const id = newId('usr');
  await db
    .insertInto('staffUsers')
    .values({
      id,
      ...user,
      disabled: 0,
      passwordChangedAt: now,
      lastLoginAt: null,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  return getUser(db, id);
}

export async function findUser(db: Db, id: string): Promise<StaffUser | null> {
  const row = await db.selectFrom('staffUsers').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? rowToUser(row) : null;
}

export const getUser = (db: Db, id: string): Promise<StaffUser> => foundOrThrow(findUser(db, id), 'user', id);

export async function findUserByEmail(db: Db, email: string): Promise<StaffUser | null> {
  const row = await db
    .selectFrom('staffUsers')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return row ? rowToUser(row) : null;
}

/** The user and their password hash, for signing in only. */
export async function findCredentials(
  db: Db,
  email: string,
): Promise<{ user: StaffUser; passwordHash: string } | null> {
  const row = await db
    .selectFrom('staffUsers')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return row ? { user: rowToUser(row), passwordHash: row.passwordHash } : null;
}

export async function passwordHashOf(db: Db, id: string): Promise<string> {
  const row = await db
    .selectFrom('staffUsers')
    .select('passwordHash')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('user', id);
  return row.passwordHash;
}

export async function listUsers(db: Db): Promise<StaffUser[]> {
  const rows = await db.selectFrom('staffUsers').selectAll().orderBy('email').execute();
  return rows.map(rowToUser);
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('staffUsers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countActiveAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom('staffUsers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .where('disabled', '=', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Changes name, role, zone or disabled; refuses to leave the installation without an active admin. */
export async function updateUser(db: Db, id: string, patch: StaffUserPatch): Promise<StaffUser> {
  const user = await getUser(db, id);
  // Leaving the contributor role leaves the member too; joining it needs one.
  const memberId =
    patch.memberId !== undefined
      ? patch.memberId
      : patch.role !== undefined && patch.role !== 'contributor'
        ? null
        : user.memberId;
  const problems = memberProblem(patch.role ?? user.role, memberId);
  if (Object.keys(problems).length > 0) throw new ValidationError(problems);
  const losesAdmin =
    user.role === 'admin' &&
    !user.disabled &&
    ((patch.role && patch.role !== 'admin') || patch.disabled === true);
  if (losesAdmin && (await countActiveAdmins(db)) <= 1) {
    throw new ConflictError('this is the last active admin; make another admin first', 'last_admin');
  }
  const set = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.role !== undefined ? { role: patch.role } : {}),
    ...(patch.timezone !== undefined ? { timezone: patch.timezone } : {}),
    ...(patch.language !== undefined ? { language: patch.language } : {}),
    ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
    memberId,
  };
  await db
    .updateTable('staffUsers')
    .set({ ...set, updatedAt: nowIso() })
    .where('id', '=', id)
    .execute();
  if (patch.disabled === true) await deleteUserSessions(db, id);
  return getUser(db, id);
}

export async function setPasswordHash(db: Db, id: string, passwordHash: string): Promise<void> {
  const now = nowIso();
  const result = await db
    .updateTable('staffUsers')
    .set({ passwordHash, passwordChangedAt: now, updatedAt: now })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new NotFoundError('user', id);
}

export async function recordLogin(db: Db, id: string): Promise<void> {
  await db.updateTable('staffUsers').set({ lastLoginAt: nowIso() }).where('id', '=', id).execute();
}

// Sessions ----------------------------------------------------------------------------------------

/** A session as stored: its id is the SHA-256 of the token. */
export type StaffSession = Selectable<StaffSessionsTable>;

export const sessionKey = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Creates a session; returns the token for the cookie (only its hash is stored). */
export async function createSession(
  db: Db,
  userId: string,
  opts: { ttlMs: number; ip: string | null; userAgent: string | null },
): Promise<{ token: string; session: StaffSession }> {
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const session: StaffSession = {
    id: sessionKey(token),
    userId,
    csrfToken: randomBytes(32).toString('base64url'),
    ip: opts.ip,
    userAgent: opts.userAgent?.slice(0, 300) ?? null,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + opts.ttlMs).toISOString(),
  };
  await db.insertInto('staffSessions').values(session).execute();
  return { token, session };
}

/** The live session for a cookie token and its (enabled) user, or null. */
export async function findSession(
  db: Db,
  token: string,
  now = nowIso(),
): Promise<{ session: StaffSession; user: StaffUser } | null> {
  const row = await db
    .selectFrom('staffSessions')
    .innerJoin('staffUsers', 'staffUsers.id', 'staffSessions.userId')
    .selectAll('staffSessions')
    .select(['staffUsers.disabled as userDisabled'])
    .where('staffSessions.id', '=', sessionKey(token))
    .where('staffSessions.expiresAt', '>', now)
    .executeTakeFirst();
  if (!row || row.userDisabled === 1) return null;
  const { userDisabled: _d, ...session } = row;
  return { session, user: await getUser(db, session.userId) };
}

export async function touchSession(db: Db, id: string, at = nowIso()): Promise<void> {
  await db.updateTable('staffSessions').set({ lastSeenAt: at }).where('id', '=', id).execute();
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('staffSessions').where('id', '=', id).execute();
}

export async function deleteUserSessions(db: Db, userId: string, exceptId?: string): Promise<number> {
  let q = db.deleteFrom('staffSessions').where('userId', '=', userId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  const result = await q.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function listUserSessions(db: Db, userId: string, now = nowIso()): Promise<StaffSession[]> {
  return db
    .selectFrom('staffSessions')
    .selectAll()
    .where('userId', '=', userId)
    .where('expiresAt', '>', now)
    .orderBy('lastSeenAt', 'desc')
    .execute();
}

export async function purgeExpiredSessions(db: Db, now = nowIso()): Promise<number> {
  const result = await db.deleteFrom('staffSessions').where('expiresAt', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
