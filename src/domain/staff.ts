import { z } from 'zod';
import { ValidationError } from './errors.js';
import { fieldErrorsFromZod } from './zod-errors.js';
import { isTimeZone } from './schedule.js';
import { isLanguageTag } from './item.js';

/**
 * `contributor`: drafts and submits their own items for review, for one member authority. `editor`: compose,
 * review, schedule, publish, retry. `admin`: also members, channels, users, queues.
 */
export const STAFF_ROLES = ['contributor', 'editor', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value);
}

/** A staff account as the application sees it (never with its password hash). */
export interface StaffUser {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  /** A contributor's member authority (its id); null for editors and admins. */
  memberId: string | null;
  /** The zone dates are shown and entered in; null = the installation's zone. */
  timezone: string | null;
  /** The staff pages' language (BCP 47); null = the browser's Accept-Language. */
  language: string | null;
  disabled: boolean;
  passwordChangedAt: string;
  lastLoginAt: string | null;
  createdAt: string;
}

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 200;

export const passwordSchema = z
  .string({ error: 'must be a string' })
  .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`)
  .refine((v) => v.trim().length === v.length, 'must not start or end with a space');

export const emailSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address such as name@example.org');

const roleSchema = z.enum(STAFF_ROLES, { error: `must be one of ${STAFF_ROLES.join(', ')}` });
const zoneSchema = z
  .string({ error: 'must be a string' })
  .refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris');

const memberIdSchema = z
  .string({ error: 'must be a string' })
  .regex(/^aut_[0-9a-f]{32}$/, 'must be the id of a member authority (aut_...)');

const languageSchema = z
  .string({ error: 'must be a string' })
  .refine(isLanguageTag, 'must be a language tag such as "en" or "fr"');

export const newStaffUserSchema = z.strictObject({
  email: emailSchema,
  name: z.string({ error: 'must be a string' }).trim().max(120, 'must be at most 120 characters').default(''),
  role: roleSchema,
  password: passwordSchema,
  timezone: zoneSchema.nullable().default(null),
  memberId: memberIdSchema.nullable().default(null),
});

export const staffUserPatchSchema = z.strictObject({
  name: z.string({ error: 'must be a string' }).trim().max(120, 'must be at most 120 characters').optional(),
  role: roleSchema.optional(),
  timezone: zoneSchema.nullable().optional(),
  language: languageSchema.nullable().optional(),
  disabled: z.boolean({ error: 'must be true or false' }).optional(),
  memberId: memberIdSchema.nullable().optional(),
});
export type StaffUserPatch = z.output<typeof staffUserPatchSchema>;

/** A contributor belongs to exactly one member authority; editors and admins to none. */
export function memberProblem(role: StaffRole, memberId: string | null): Record<string, string> {
  if (role === 'contributor' && !memberId)
    return { memberId: 'is required for a contributor (the member authority they write for)' };
  if (role !== 'contributor' && memberId) return { memberId: 'is only for contributors' };
  return {};
}

/** Parses with a schema; every problem is reported with its field name. */
export function parseStaff<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error));
  return parsed.data;
}

/** The name shown for a user: their name, or the part of the email before the @. */
export function displayName(user: Pick<StaffUser, 'name' | 'email'>): string {
  return user.name || user.email.split('@')[0]!;
}
