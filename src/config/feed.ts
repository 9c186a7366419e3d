import { z } from 'zod';

/** Feeds: what Herald publishes as RSS / Atom / JSON Feed. Owned by the feed module. */
export const feedConfigSchema = z.strictObject({
  /** Feed title; defaults to the organisation name. */
  title: z.string().min(1).max(200).optional(),
  description: z.string().max(1000).default('News'),
  /** How many items each feed carries (newest first). */
  limit: z.coerce.number().int().min(1, 'must be 1-1000').max(1000, 'must be 1-1000').default(50),
});

/** Environment variable -> path under `feed`. */
export const FEED_ENV_VARS = {
  HERALD_FEED_TITLE: 'feed.title',
  HERALD_FEED_LIMIT: 'feed.limit',
} as const;
