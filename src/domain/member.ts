import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { ValidationError } from './errors.js';
import { fieldErrorsFromZod } from './zod-errors.js';
import { COUNTRY_CODES } from './member-countries.js';

export const REGION_TYPES = ['city', 'metropolitan_area', 'region', 'province', 'other'] as const;
export type RegionType = (typeof REGION_TYPES)[number];

export const CONTACT_STATUSES = ['active', 'unsubscribed', 'bounced', 'complained'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

/** Languages a contact may choose (primary subtags). European focus; add codes as members join. */
// prettier-ignore
export const SUPPORTED_LANGUAGES = [
  'bg', 'bs', 'ca', 'cs', 'cy', 'da', 'de', 'el', 'en', 'es', 'et', 'eu', 'fi', 'fr', 'ga', 'gl', 'hr', 'hu',
  'is', 'it', 'lb', 'lt', 'lv', 'mk', 'mt', 'nb', 'nl', 'nn', 'no', 'pl', 'pt', 'ro', 'ru', 'sk', 'sl', 'sq',
  'sr', 'sv', 'tr', 'uk',
] as const;

/** A member city or region. */
export interface Authority {
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2, uppercase. */
  country: string;
  regionType: RegionType;
}

export interface Subscriptions {
  announcements: boolean;
  digest: boolean;
}

/**
 * A person who receives newsletters: at a member authority, or a follower (no authority) who subscribed
 * on the public form.
 */
export interface Contact {
  id: string;
  authorityId: string | null;
  name: string;
  /** Normalised (see normaliseEmail); unique by emailKey(). */
  email: string;
  /** BCP 47 tag whose primary subtag is in SUPPORTED_LANGUAGES, e.g. `fr` or `fr-BE`. */
  language: string;
  status: ContactStatus;
  subscriptions: Subscriptions;
}

export const DEFAULT_SUBSCRIPTIONS: Subscriptions = { announcements: true, digest: true };

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * Trims, lowercases and punycodes the domain; returns null when the address is not usable.
 * Pragmatic: dot-atom ASCII local part (no quoted strings, no SMTPUTF8), a public-looking domain.
 */
export function normaliseEmail(input: string): string | null {
  const email = input.trim();
  const at = email.lastIndexOf('@');
  if (at <= 0 || email.length > 254) return null;
  const local = email.slice(0, at);
  const domain = domainToASCII(email.slice(at + 1).toLowerCase());
  if (local.length > 64 || !LOCAL_PART.test(local) || !isMailDomain(domain)) return null;
  return `${local}@${domain}`;
}

function isMailDomain(domain: string): boolean {
  const labels = domain.split('.');
  return (
    domain.length <= 253 &&
    labels.length >= 2 &&
    labels.every((l) => LABEL.test(l)) &&
    TLD.test(labels.at(-1) ?? '')
  );
}

/**
 * The key two addresses are the same contact by: the whole normalised address lowercased. RFC 5321
 * lets a local part be case-sensitive, but no mail provider our members use treats it so, and a
 * spreadsheet's `Jane@` and `jane@` are the same person. Use it for deduplication and the unique index.
 */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** `FR`, `fr_be`, ` fr-BE ` -> `fr`, `fr-BE`; null when not a supported language. */
export function normaliseLanguage(input: string): string | null {
  const tag = input.trim().replace(/_/g, '-');
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(tag)) return null;
  let canonical: string;
  try {
    [canonical = ''] = Intl.getCanonicalLocales(tag);
  } catch {
    return null;
  }
  const primary = canonical.split('-')[0] ?? '';
  return (SUPPORTED_LANGUAGES as readonly string[]).includes(primary) ? canonical : null;
}

/** `fr-BE` -> `['fr-BE', 'fr']`: the tags to look for, most specific first. */
export function languageFallbacks(language: string): string[] {
  const parts = language.split('-');
  const chain: string[] = [];
  for (let n = parts.length; n >= 1; n--) chain.push(parts.slice(0, n).join('-'));
  return chain;
}

/** Uppercased code when it is an ISO 3166-1 alpha-2 country; null otherwise. */
export function normaliseCountry(input: string): string | null {
  const code = input.trim().toUpperCase();
  return COUNTRY_CODES.has(code) ? code : null;
}

/** `City`, ` metropolitan area ` -> `city`, `metropolitan_area`; null when unknown. */
export function normaliseRegionType(input: string): RegionType | null {
  const value = input
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return (REGION_TYPES as readonly string[]).includes(value) ? (value as RegionType) : null;
}

/** Collapses inner whitespace; the form names are compared and stored in. */
export function normaliseName(input: string): string {
  return input.trim().replace(/\s+/g, ' ');
}

/** Two authorities are the same when name (case-insensitively) and country match. */
export function authorityKey(name: string, country: string): string {
  return `${country.toUpperCase()}|${normaliseName(name).toLocaleLowerCase('und')}`;
}

// --- Validation of API input -------------------------------------------------------------------

export const emailField = z.string({ error: 'must be a string' }).transform((value, ctx) => {
  const normalised = normaliseEmail(value);
  if (normalised === null) ctx.addIssue({ code: 'custom', message: 'must be a valid email address' });
  return normalised ?? value;
});

export const languageField = z.string({ error: 'must be a string' }).transform((value, ctx) => {
  const normalised = normaliseLanguage(value);
  if (normalised === null) {
    ctx.addIssue({
      code: 'custom',
      message: `must be one of ${SUPPORTED_LANGUAGES.join(', ')} (optionally with a region)`,
    });
  }
  return normalised ?? value;
});

const country = z.string({ error: 'must be a string' }).transform((value, ctx) => {
  const normalised = normaliseCountry(value);
  if (normalised === null)
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 3166-1 alpha-2 country code' });
  return normalised ?? value;
});

const name = (max: number, required: boolean) =>
  z
    .string({ error: 'must be a string' })
    .max(max, `must be at most ${max} characters`)
    .transform(normaliseName)
    .refine((v) => !required || v.length > 0, 'is required');

export const authorityFieldsSchema = z.strictObject({
  name: name(200, true),
  country,
  regionType: z.enum(REGION_TYPES, { error: `must be one of ${REGION_TYPES.join(', ')}` }).default('city'),
});
export type AuthorityFields = z.output<typeof authorityFieldsSchema>;

const subscriptions = z.strictObject({
  announcements: z.boolean({ error: 'must be true or false' }),
  digest: z.boolean({ error: 'must be true or false' }),
});

export const contactFieldsSchema = z.strictObject({
  authorityId: z.string({ error: 'must be a string' }).min(1, 'is required'),
  name: name(200, false).default(''),
  email: emailField,
  language: languageField,
  subscriptions: subscriptions.default(DEFAULT_SUBSCRIPTIONS),
});
export type ContactFields = z.output<typeof contactFieldsSchema>;

/** What a contact may change on the preferences page. */
export const preferencesSchema = z.strictObject({
  language: languageField.optional(),
  subscriptions: subscriptions.partial().optional(),
});
export type Preferences = z.output<typeof preferencesSchema>;

function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error));
  return parsed.data;
}

export const validateAuthorityFields = (input: unknown): AuthorityFields =>
  parseOrThrow(authorityFieldsSchema, input);
export const validateContactFields = (input: unknown): ContactFields =>
  parseOrThrow(contactFieldsSchema, input);
export const validatePreferences = (input: unknown): Preferences => parseOrThrow(preferencesSchema, input);
