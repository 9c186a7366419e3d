import { z } from 'zod';
import { markdownProblem } from './markdown-limits.js';
import { ValidationError } from './errors.js';
import { nonPublicHostKind } from './ip-address.js';
import { fieldErrorsFromZod } from './zod-errors.js';
import { slugify } from './slug.js';

export const ITEM_STATUSES = ['draft', 'scheduled', 'published', 'withdrawn'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const LIMITS = {
  title: 300,
  summary: 2_000,
  bodyBytes: 100 * 1024,
  url: 2_048,
  imageAlt: 1_000,
  tags: 20,
  tag: 50,
  slug: 120,
  channelText: 5_000,
} as const;

export interface ItemTranslation {
  title: string;
  summary?: string | undefined;
  body?: string | undefined;
}

/** A news item as stored. Times are ISO-8601 UTC strings. */
/** The byte length and media type of an image file. */
export interface ImageSize {
  bytes: number;
  type: string;
}

export interface NewsItem {
  id: string;
  slug: string;
  title: string;
  summary: string;
  body: string;
  bodyHtml: string;
  url: string;
  imageUrl: string | null;
  imageAlt: string | null;
  /** An uploaded picture (media id), instead of imageUrl; its alt text is used when imageAlt is empty. */
  imageId: string | null;
  /**
   * Set when an output resolved imageId (withUploadedImage): the stored file of the version it needs, which
   * imageUrl then addresses publicly. Never stored.
   */
  imageFile?: string | undefined;
  /**
   * What imageUrl points at, when known: from the upload's record (imageId) or a HEAD of the address (feeds'
   * enclosures). Never stored on the item.
   */
  imageSize?: ImageSize | undefined;
  tags: string[];
  language: string;
  translations: Record<string, ItemTranslation>;
  /** Per-channel text overrides, keyed by platform (`twitter`) or account id (`twitter-main`). */
  channelTexts: Record<string, string>;
  /** Post a long summary as a numbered thread where the platform supports it. */
  thread: boolean;
  status: ItemStatus;
  revision: number;
  publishedRevision: number | null;
  publishAt: string | null;
  publishTimezone: string | null;
  /** Account ids chosen for the (scheduled) publication; null = every enabled account. */
  publishChannels: string[] | null;
  announce: boolean;
  /** Identifies the current schedule; a publish job carrying another token is stale and does nothing. */
  scheduleToken: string | null;
  publishedAt: string | null;
  withdrawnAt: string | null;
  createdAt: string;
  updatedAt: string;
}

// eslint-disable-next-line no-control-regex -- NUL is exactly what this rejects
const NUL = /\u0000/;

function text(max: number, { required }: { required: boolean }) {
  let s = z
    .string({ error: 'must be a string' })
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !NUL.test(v), 'must not contain NUL characters');
  if (required) s = s.refine((v) => v.trim().length > 0, 'is required');
  return s;
}

const httpUrl = z
  .string({ error: 'must be a string' })
  .max(LIMITS.url, `must be at most ${LIMITS.url} characters`)
  .refine(isHttpUrl, 'must be an absolute http(s) URL');

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

export function isLanguageTag(value: string): boolean {
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(value)) return false;
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

const mediaId = z
  .string({ error: 'must be a string' })
  .regex(/^med_[0-9a-f]{32}$/, 'must be the id of an upload (POST /api/media answers it)');

const language = z
  .string({ error: 'must be a string' })
  .refine(isLanguageTag, 'must be a BCP 47 language tag such as "en" or "fr-BE"');

const tag = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(LIMITS.tag, `must be at most ${LIMITS.tag} characters`)
  .regex(
    /^[\p{L}\p{N}_-]+(?: [\p{L}\p{N}_-]+)*$/u,
    "must contain only letters, digits, single spaces, '-' and '_' (it becomes one hashtag)",
  );

const body = z
  .string({ error: 'must be a string' })
  .refine(
    (v) => Buffer.byteLength(v, 'utf8') <= LIMITS.bodyBytes,
    `must be at most ${LIMITS.bodyBytes / 1024} kB`,
  )
  .refine((v) => !NUL.test(v), 'must not contain NUL characters')
  .superRefine((v, ctx) => {
    const problem = markdownProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const translation = z.strictObject({
  title: text(LIMITS.title, { required: true }),
  summary: text(LIMITS.summary, { required: false }).optional(),
  body: body.optional(),
});

const tags = z
  .array(tag, { error: 'must be a list of tags' })
  .max(LIMITS.tags, `must have at most ${LIMITS.tags} tags`);

/** Every field a client may set on an item. */
export const itemFieldsSchema = z.strictObject({
  title: text(LIMITS.title, { required: true }),
  summary: text(LIMITS.summary, { required: false }).default(''),
  body: body.default(''),
  url: httpUrl,
  imageUrl: httpUrl.nullable().optional(),
  imageAlt: text(LIMITS.imageAlt, { required: false }).nullable().optional(),
  imageId: mediaId.nullable().optional(),
  tags: tags.default([]),
  language: language.default('en'),
  slug: z
    .string({ error: 'must be a string' })
    .max(LIMITS.slug, `must be at most ${LIMITS.slug} characters`)
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters and digits separated by single hyphens')
    .optional(),
  translations: z
    .record(language, translation, { error: 'must map language tags to {title, summary, body}' })
    .default({}),
  channelTexts: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a platform or account id'),
      text(LIMITS.channelText, { required: true }),
      { error: 'must map a platform or account id to a text' },
    )
    .default({}),
  thread: z.boolean({ error: 'must be true or false' }).default(false),
});

export type ItemFields = z.output<typeof itemFieldsSchema>;

/** Schema for a partial update: the same fields, none required, no defaults applied. */
export const itemPatchSchema = z.strictObject({
  title: itemFieldsSchema.shape.title.optional(),
  summary: text(LIMITS.summary, { required: false }).optional(),
  body: body.optional(),
  url: httpUrl.optional(),
  imageUrl: httpUrl.nullable().optional(),
  imageAlt: text(LIMITS.imageAlt, { required: false }).nullable().optional(),
  imageId: mediaId.nullable().optional(),
  tags: tags.optional(),
  language: language.optional(),
  slug: itemFieldsSchema.shape.slug,
  translations: z.record(language, translation).optional(),
  channelTexts: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/), text(LIMITS.channelText, { required: true }))
    .optional(),
  thread: z.boolean({ error: 'must be true or false' }).optional(),
});

const asText = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Rules that span fields; returns field -> message. */
function crossFieldProblems(
  fields: Pick<ItemFields, 'imageUrl' | 'imageAlt' | 'imageId'>,
): Record<string, string> {
  const problems: Record<string, string> = {};
  if (fields.imageId) {
    if (fields.imageUrl)
      problems.imageUrl = 'must be empty when imageId is given (one image: the upload or a URL)';
    return problems; // the upload carries its own alt text; imageAlt, when given, replaces it for this item
  }
  if (fields.imageUrl && !fields.imageAlt?.trim()) {
    problems.imageAlt =
      'is required when imageUrl is given (describe the image for people who cannot see it)';
  }
  if (!fields.imageUrl && fields.imageAlt) problems.imageAlt = 'must be empty when there is no imageUrl';
  return problems;
}

/** Installation settings item validation depends on (passed in: the domain reads no configuration). */
export interface ItemRules {
  /** Accept `url` and `imageUrl` on private, loopback and link-local addresses (`allowPrivateUrls`). Default false. */
  allowPrivateUrls?: boolean | undefined;
}

/**
 * `url` and `imageUrl` whose host is a private, loopback, link-local... IP address or `localhost`. Host names
 * are not resolved here (no I/O): what they, or redirects, lead to is checked when Herald fetches the URL.
 */
function addressProblems(raw: Record<string, unknown>, rules: ItemRules): Record<string, string> {
  const problems: Record<string, string> = {};
  if (rules.allowPrivateUrls) return problems;
  for (const field of ['url', 'imageUrl'] as const) {
    const value = asText(raw[field]);
    if (!value || !isHttpUrl(value)) continue;
    const host = new URL(value).hostname.replace(/^\[(.*)\]$/, '$1');
    const kind = nonPublicHostKind(host);
    if (kind) problems[field] = `must be a public address; ${host} is ${kind}`;
  }
  return problems;
}

/** Validates a new item's fields; throws ValidationError listing every problem. */
export function validateItemFields(input: unknown, rules: ItemRules = {}): ItemFields & { slug: string } {
  const parsed = itemFieldsSchema.safeParse(input ?? {});
  const fields = parsed.success ? {} : fieldErrorsFromZod(parsed.error);
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const candidate = parsed.success
    ? parsed.data
    : { imageUrl: asText(raw.imageUrl), imageAlt: asText(raw.imageAlt), imageId: asText(raw.imageId) };
  for (const [field, problem] of Object.entries(crossFieldProblems(candidate))) fields[field] ??= problem;
  for (const [field, problem] of Object.entries(addressProblems(raw, rules))) fields[field] ??= problem;
  if (!parsed.success || Object.keys(fields).length > 0) throw new ValidationError(fields);
  const data = parsed.data;
  return { ...data, title: data.title.trim(), slug: data.slug ?? slugify(data.title) };
}

/** Applies a patch to an item's current fields and validates the result as a whole. */
export function applyItemPatch(
  current: ItemFields & { slug: string },
  patch: unknown,
  rules: ItemRules = {},
): ItemFields & { slug: string } {
  const parsed = itemPatchSchema.safeParse(patch ?? {});
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error));
  const defined = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  return validateItemFields({ ...current, ...defined }, rules);
}

/** The client-settable fields of a stored item (used to compare revisions and to patch). */
export function editableFields(item: NewsItem): ItemFields & { slug: string } {
  return {
    title: item.title,
    summary: item.summary,
    body: item.body,
    url: item.url,
    imageUrl: item.imageUrl,
    imageAlt: item.imageAlt,
    imageId: item.imageId,
    tags: item.tags,
    language: item.language,
    slug: item.slug,
    translations: item.translations,
    channelTexts: item.channelTexts,
    thread: item.thread,
  };
}

export function sameFields(a: ItemFields & { slug: string }, b: ItemFields & { slug: string }): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

function normalise(f: ItemFields & { slug: string }): unknown {
  return { ...f, imageUrl: f.imageUrl ?? null, imageAlt: f.imageAlt ?? null, imageId: f.imageId ?? null };
}

/** Which statuses an action may start from; the single place these rules live. */
export const ITEM_ACTIONS = {
  edit: ['draft', 'scheduled', 'published', 'withdrawn'],
  publish: ['draft', 'scheduled', 'published', 'withdrawn'],
  cancel: ['scheduled'],
  withdraw: ['published', 'scheduled'],
  delete: ['draft', 'withdrawn'],
} as const satisfies Record<string, readonly ItemStatus[]>;

export function canDo(action: keyof typeof ITEM_ACTIONS, status: ItemStatus): boolean {
  return (ITEM_ACTIONS[action] as readonly ItemStatus[]).includes(status);
}
