import { z } from 'zod';
import { isTimeZone } from '../domain/schedule.js';
import { isHttpUrl, isLanguageTag } from '../domain/item.js';
import { PLATFORM_IDS } from '../domain/platform.js';
import { DEFAULT_WORKER_HEAP_MB } from './heap.js';
import { feedConfigSchema, flag } from './feed.js';
import { newsletterConfigSchema } from './newsletter.js';
import { webConfigSchema } from './web.js';
import { mediaConfigSchema } from './media.js';
import { socialConfigFields } from './social.js';
import { apiVersionsSchema, twitterRulesSchema } from './platform-rules.js';
import { connectConfigSchema } from './connect.js';
import { backupConfigSchema, logFormatSchema, metricsConfigSchema } from './operations.js';

const httpUrl = z.string().refine(isHttpUrl, 'must be an absolute http(s) URL');
const port = z.coerce
  .number()
  .int('must be a whole number')
  .min(1, 'must be 1-65535')
  .max(65535, 'must be 1-65535');
const positiveInt = z.coerce.number().int('must be a whole number').positive('must be greater than 0');

const account = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lowercase letters, digits, - or _'),
  platform: z.enum(PLATFORM_IDS, { error: `must be ${PLATFORM_IDS.map((id) => `"${id}"`).join(' or ')}` }),
  name: z.string().min(1).optional(),
  /** Force dry-run even with credentials (e.g. on a staging copy). */
  dryRun: z.boolean().optional(),
  /** Secrets: literal values are allowed but `${ENV_NAME}` references are recommended. */
  credentials: z.record(z.string(), z.string()).optional(),
  /** Platform API address (tests and proxies). */
  apiUrl: httpUrl.optional(),
  /** The account's language: an item with a translation in it posts the translation there. */
  language: z
    .string()
    .refine(isLanguageTag, 'must be a BCP 47 language tag such as "en" or "fr-BE"')
    .optional(),
});

export const configSchema = z.strictObject({
  port: port.default(8080),
  host: z.string().min(1).default('0.0.0.0'),
  publicUrl: httpUrl.optional(),
  siteUrl: httpUrl.default('https://example.org'),
  organisationName: z.string().min(1).default('Herald'),
  dataDir: z.string().min(1).default('./var'),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  databaseUrl: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|sqlite:)/, 'must be a postgres:// URL or sqlite:<path>')
    .optional(),
  apiToken: z.string().min(16, 'must be at least 16 characters').optional(),
  secretKey: z.string().min(16, 'must be at least 16 characters').optional(),
  timezone: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris')
    .default('Europe/Paris'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  logFormat: logFormatSchema,
  /** V8 old-space bound (MB) of `herald start` and `herald worker`, given by the launcher (src/cli/launcher.ts); 0: V8's own. */
  workerHeapMb: z.coerce
    .number()
    .int('must be a whole number')
    .min(0)
    .max(65_536)
    .default(DEFAULT_WORKER_HEAP_MB),
  /** Redis key prefix; the braces make it a Redis Cluster hash tag. */
  queuePrefix: z.string().min(1).default('{herald}'),
  /**
   * Lets Herald fetch from private, loopback and link-local addresses (feed sources, item images) and accept
   * items whose url / imageUrl is such an address. For tests and intranets only. Unset: `feed.allowPrivateSources`.
   */
  allowPrivateUrls: flag.optional(),
  publishing: z
    .strictObject({
      /** Four-eyes rule: every item needs approval by someone other than its author before it goes out. */
      requireReview: flag.default(false),
    })
    .prefault({}),
  delivery: z
    .strictObject({
      attempts: positiveInt.default(8),
      backoffMs: positiveInt.default(5_000),
      maxBackoffMs: positiveInt.default(3_600_000),
      /** Jobs at once per worker process; unset: 32 on SQLite (one worker process), 8 on PostgreSQL (several). */
      concurrency: positiveInt.optional(),
      /** How long a job may run before another worker takes it over (BullMQ lock). */
      lockMs: positiveInt.default(30_000),
      reconcileEveryMs: positiveInt.default(60_000),
    })
    .prefault({}),
  channels: z
    .strictObject({
      accounts: z.array(account).optional(),
      ...socialConfigFields,
      /** Dry-run accounts wait this long after recording a post, as a platform would (rehearsals, benchmarks). */
      dryRunLatencyMs: z.coerce.number().int().min(0).max(60_000).default(0),
    })
    .prefault({}),
  feed: feedConfigSchema.prefault({}),
  newsletter: newsletterConfigSchema.prefault({}),
  web: webConfigSchema.prefault({}),
  media: mediaConfigSchema.prefault({}),
  twitter: twitterRulesSchema,
  apiVersions: apiVersionsSchema,
  connect: connectConfigSchema.prefault({}),
  metrics: metricsConfigSchema.prefault({}),
  backup: backupConfigSchema.prefault({}),
});

export type HeraldConfig = z.infer<typeof configSchema> & {
  publicUrl: string;
  allowPrivateUrls: boolean;
  delivery: { concurrency: number };
};

/**
 * One worker process per SQLite file (SQLite lets one writer in at a time) does best with more jobs at once;
 * on PostgreSQL, worker processes are added instead. Measured in bench/pipeline.ts (docs/operations.md).
 */
export const defaultDeliveryConcurrency = (databaseUrl: string | undefined): number =>
  databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl) ? 8 : 32;
