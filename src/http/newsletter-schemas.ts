// Request schemas of the member, contact and newsletter API (src/http/routes/members.ts, newsletters.ts).
import { z } from 'zod';
import { CONTACT_STATUSES, REGION_TYPES } from '../domain/member.js';
import { NEWSLETTER_STATUSES, RECIPIENT_STATUSES } from '../domain/newsletter-send.js';

export const AUTHORITY_ID = /^aut_[0-9a-f]{32}$/;
export const CONTACT_ID = /^ctc_[0-9a-f]{32}$/;
export const NEWSLETTER_ID = /^nl_[0-9a-f]{32}$/;

const limit = (max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, `must be 1-${max}`)
    .max(max, `must be 1-${max}`)
    .default(fallback);
const offset = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be 0 or more')
  .default(0);
const search = z.string().trim().max(200, 'must be at most 200 characters').optional();
const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

export const memberListQuery = z.strictObject({
  q: search,
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a 2-letter country code')
    .optional(),
  limit: limit(500, 100),
  offset,
});

export const authorityPatch = z.strictObject({
  name: z.string().optional(),
  country: z.string().optional(),
  regionType: z.enum(REGION_TYPES, { error: `must be one of ${REGION_TYPES.join(', ')}` }).optional(),
});

export const contactListQuery = z.strictObject({
  q: search,
  status: z.enum(CONTACT_STATUSES, { error: `must be one of ${CONTACT_STATUSES.join(', ')}` }).optional(),
  authorityId: z.string().regex(AUTHORITY_ID, 'must be a member id (aut_...)').optional(),
  language: z.string().max(35).optional(),
  limit: limit(500, 100),
  offset,
});

/** Erasure cannot be undone: the request says so in its body. */
export const eraseConfirmation = z.strictObject({
  confirm: z.literal(true, { error: 'must be true: erasure cannot be undone' }),
});

export const contactPatch = z.strictObject({
  authorityId: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  language: z.string().optional(),
  subscriptions: z
    .strictObject({
      announcements: z.boolean({ error: 'must be true or false' }).optional(),
      digest: z.boolean({ error: 'must be true or false' }).optional(),
    })
    .optional(),
  status: z.enum(CONTACT_STATUSES, { error: `must be one of ${CONTACT_STATUSES.join(', ')}` }).optional(),
});

export const importQuery = z.strictObject({ dryRun: flag.optional(), strict: flag.optional() });

export const newsletterListQuery = z.strictObject({
  status: z
    .enum(NEWSLETTER_STATUSES, { error: `must be one of ${NEWSLETTER_STATUSES.join(', ')}` })
    .optional(),
  limit: limit(100, 20),
  offset,
});

export const sendBody = z
  .strictObject({
    at: z.string({ error: 'must be an ISO-8601 date-time string' }).max(64, 'is too long').optional(),
    timezone: z.string({ error: 'must be an IANA time zone name' }).max(64, 'is too long').optional(),
  })
  .nullish();

export const previewQuery = z.strictObject({
  contact: z.string().max(254, 'is too long').optional(),
  language: z.string().max(35, 'is too long').optional(),
  format: z.enum(['json', 'html', 'text'], { error: 'must be json, html or text' }).default('json'),
});

export const recipientListQuery = z.strictObject({
  status: z.enum(RECIPIENT_STATUSES, { error: `must be one of ${RECIPIENT_STATUSES.join(', ')}` }).optional(),
  limit: limit(500, 100),
  offset,
});
