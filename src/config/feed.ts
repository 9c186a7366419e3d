import { z } from 'zod';
import { isHttpUrl, isLanguageTag } from '../domain/item.js';

/** Standard Webhooks' secret: `whsec_` then the base64 of at least 24 random bytes. */
const WEBHOOK_SECRET_FORMAT = /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/;

const httpUrl = z.string({ error: 'must be a URL' }).refine(isHttpUrl, 'must be an absolute http(s) URL');

/** Environment values are strings: "true"/"1"/"yes" and "false"/"0"/"no" (z.coerce.boolean calls "false" true). */
export const flag = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    const text = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    return value;
  },
  z.boolean({ error: 'must be true or false' }),
);

const SOURCE_MODES = ['draft', 'publish', 'review'] as const;

/** One website feed Herald watches; each new entry becomes a news item. */
export const feedSourceSchema = z.strictObject({
  /** Stable name: the key under which seen entries are remembered (renaming it re-imports everything). */
  id: z
    .string({ error: 'must be a string' })
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lowercase letters, digits, - or _ (at most 64)'),
  url: httpUrl,
  /**
   * `draft`: staff publish; `publish`: trusted, published at once (social posts and feeds included, even under
   * the four-eyes rule); `review`: submitted for review, published once a person approves it.
   */
  mode: z.enum(SOURCE_MODES, { error: 'must be "draft", "publish" or "review"' }).default('draft'),
  /** Language of the items (wins over what the feed says), e.g. "fr". */
  language: z
    .string()
    .refine(isLanguageTag, 'must be a BCP 47 language tag such as "en" or "fr-BE"')
    .optional(),
  /** Minutes between polls. */
  everyMinutes: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1-1440')
    .max(1440, 'must be 1-1440')
    .default(15),
});
export type FeedSourceConfig = z.output<typeof feedSourceSchema>;

/** Feeds: what Herald publishes as RSS / Atom / JSON Feed, and the website feeds it reads. Owned by the feed module. */
export const feedConfigSchema = z.strictObject({
  /** Feed title; defaults to the organisation name. */
  title: z.string().min(1).max(200).optional(),
  description: z.string().max(1000).default('News'),
  /** Language of the main feed (per-language feeds carry their own). */
  language: z
    .string()
    .refine(isLanguageTag, 'must be a BCP 47 language tag such as "en" or "fr-BE"')
    .default('en'),
  /** How many items each feed carries (newest first). */
  limit: z.coerce.number().int().min(1, 'must be 1-1000').max(1000, 'must be 1-1000').default(50),
  /**
   * At most one feed rebuild per this interval: the first change after a quiet spell is rebuilt at
   * once, later ones wait for the interval to end and share one rebuild (a burst costs at most two).
   */
  rebuildIntervalMs: z.coerce
    .number()
    .int('must be a whole number')
    .min(0, 'must be 0-60000')
    .max(60_000, 'must be 0-60000')
    .default(2_000),
  /** Cache-Control max-age of the served feeds, in seconds. */
  maxAgeSeconds: z.coerce
    .number()
    .int('must be a whole number')
    .min(0, 'must be 0-86400')
    .max(86_400, 'must be 0-86400')
    .default(60),
  /** WebSub hub pinged after each rebuild that changed a feed, and advertised in the feeds (rel="hub"). */
  hubUrl: httpUrl.optional(),
  /** Website feeds to import (RSS or Atom). */
  sources: z
    .array(feedSourceSchema, { error: 'must be a list of sources' })
    .max(100, 'must have at most 100 sources')
    .default([])
    .superRefine((sources, ctx) => {
      const seen = new Set<string>();
      sources.forEach((source, index) => {
        if (seen.has(source.id))
          ctx.addIssue({
            code: 'custom',
            path: [index, 'id'],
            message: `"${source.id}" is used by another source`,
          });
        seen.add(source.id);
      });
    }),
  /** Older name of the top-level `allowPrivateUrls` (which wins when both are set); kept so existing configurations work. */
  allowPrivateSources: flag.default(false),
  /** Per-fetch limits for sources. */
  fetchTimeoutMs: z.coerce
    .number()
    .int('must be a whole number')
    .min(100, 'must be 100-120000')
    .max(120_000, 'must be 100-120000')
    .default(10_000),
  fetchMaxBytes: z.coerce
    .number()
    .int('must be a whole number')
    .min(1_024, 'must be 1 kB-50 MB')
    .max(50 * 1024 * 1024, 'must be 1 kB-50 MB')
    .default(5 * 1024 * 1024),
  /** What the CMS webhook does with an item: `publish` (trusted, at once) or `review` (submitted for review). */
  webhookMode: z.enum(['publish', 'review'], { error: 'must be "publish" or "review"' }).default('publish'),
  /** Shared secret of the CMS webhook (`POST /api/hooks/publish`), Standard Webhooks' `whsec_<base64>`; unset = the webhook is off. */
  webhookSecret: z
    .string()
    .regex(
      WEBHOOK_SECRET_FORMAT,
      'must be whsec_ followed by the base64 of at least 24 random bytes (echo "whsec_$(openssl rand -base64 32)")',
    )
    .optional(),
});
export type FeedConfig = z.output<typeof feedConfigSchema>;

/** Environment variable -> path under `feed`. */
export const FEED_ENV_VARS = {
  HERALD_FEED_TITLE: 'feed.title',
  HERALD_FEED_LIMIT: 'feed.limit',
  HERALD_FEED_LANGUAGE: 'feed.language',
  HERALD_FEED_REBUILD_INTERVAL_MS: 'feed.rebuildIntervalMs',
  HERALD_WEBSUB_HUB_URL: 'feed.hubUrl',
  HERALD_ALLOW_PRIVATE_SOURCES: 'feed.allowPrivateSources',
  HERALD_WEBHOOK_SECRET: 'feed.webhookSecret',
  HERALD_WEBHOOK_MODE: 'feed.webhookMode',
} as const;
