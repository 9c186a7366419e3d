import { ValidationError } from '../domain/errors.js';
import { dummyHash, hashPassword, needsRehash, verifyPassword } from '../domain/password.js';
import {
  memberProblem,
  newStaffUserSchema,
  parseStaff,
  passwordSchema,
  staffUserPatchSchema,
  type StaffUser,
} from '../domain/staff.js';
import { recordAudit } from '../store/audit.js';
import { findAuthority } from '../store/members.js';
import type { Store } from '../store/db.js';
import {
  deleteUserSessions,
  findCredentials,
  insertUser,
  passwordHashOf,
  recordLogin,
  setPasswordHash,
  updateUser,
} from '../store/users.js';

// What people do with staff accounts, shared by the CLI (`herald users`) and the admin pages.

export async function createStaffUser(store: Store, input: unknown, actor: string): Promise<StaffUser> {
  const fields = parseStaff(newStaffUserSchema, input);
  const problems = memberProblem(fields.role, fields.memberId);
  if (fields.memberId && !(await findAuthority(store.db, fields.memberId)))
    problems.memberId = `no member authority ${fields.memberId}`;
  if (Object.keys(problems).length > 0) throw new ValidationError(problems);
  const passwordHash = await hashPassword(fields.password);
  const user = await insertUser(store.db, {
    email: fields.email,
    name: fields.name,
    role: fields.role,
    timezone: fields.timezone,
    memberId: fields.memberId,
    passwordHash,
  });
  await recordAudit(store.db, {
    actor,
    action: 'user_created',
    subjectType: 'user',
    subjectId: user.id,
    details: { email: user.email, role: user.role, ...(user.memberId ? { memberId: user.memberId } : {}) },
  });
  return user;
}

export async function editStaffUser(
  store: Store,
  id: string,
  input: unknown,
  actor: string,
): Promise<StaffUser> {
  const patch = parseStaff(staffUserPatchSchema, input);
  const user = await updateUser(store.db, id, patch);
  await recordAudit(store.db, {
    actor,
    action: 'user_changed',
    subjectType: 'user',
    subjectId: id,
    details: { ...patch },
  });
  return user;
}

/** Sets a new password and signs the user out everywhere (except `keepSessionId`, the one changing it). */
export async function setStaffPassword(
  store: Store,
  id: string,
  password: unknown,
  actor: string,
  keepSessionId?: string,
): Promise<void> {
  const parsed = passwordSchema.safeParse(password);
  if (!parsed.success) throw new ValidationError({ password: parsed.error.issues[0]!.message });
  await setPasswordHash(store.db, id, await hashPassword(parsed.data));
  await deleteUserSessions(store.db, id, keepSessionId);
  await recordAudit(store.db, { actor, action: 'password_changed', subjectType: 'user', subjectId: id });
}

/** A person changes their own password: the current one must be right. */
export async function changeOwnPassword(
  store: Store,
  user: StaffUser,
  current: string,
  next: unknown,
  sessionId: string,
): Promise<void> {
  if (!(await verifyPassword(current, await passwordHashOf(store.db, user.id)))) {
    throw new ValidationError({ currentPassword: 'is not your current password' });
  }
  await setStaffPassword(store, user.id, next, user.email, sessionId);
}

/**
 * The user when the email and password match an enabled account, else null. Unknown emails cost a
 * password check too, so timing does not reveal who has an account.
 */
export async function authenticate(store: Store, email: string, password: string): Promise<StaffUser | null> {
  const found = await findCredentials(store.db, email);
  if (!found) {
    await verifyPassword(password, await dummyHash());
    return null;
  }
  if (!(await verifyPassword(password, found.passwordHash)) || found.user.disabled) return null;
  if (needsRehash(found.passwordHash))
    await setPasswordHash(store.db, found.user.id, await hashPassword(password));
  await recordLogin(store.db, found.user.id);
  return found.user;
}
