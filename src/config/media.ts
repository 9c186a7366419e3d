import { z } from 'zod';
import { isHttpUrl } from '../domain/item.js';
import { flag } from './feed.js';

const required = (what: string) => z.string({ error: `is required with store: s3 (${what})` }).min(1);

/** An S3-compatible bucket (AWS S3, MinIO, Garage, Ceph RGW, R2...). Herald serves its files itself. */
const s3Schema = z.strictObject({
  /** The service's address; unset = AWS S3 for the region. */
  endpoint: z.string().refine(isHttpUrl, 'must be an absolute http(s) URL').optional(),
  region: z.string().min(1).default('us-east-1'),
  bucket: required('the bucket name'),
  accessKeyId: required('the access key id'),
  /** A secret: never logged, never shown. */
  secretAccessKey: required('the secret access key'),
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (most self-hosted servers need it). */
  pathStyle: flag.default(false),
  /** Put before every key, e.g. `herald/` to share a bucket. */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9._/-]*$/, 'must be letters, digits, . _ - or /')
    .default(''),
});

/** Where uploaded pictures are stored. Owned by src/media. */
export const mediaConfigSchema = z
  .strictObject({
    /** `embedded`: `<dataDir>/media` (one machine); `s3`: a bucket every machine reaches. */
    store: z.enum(['embedded', 's3'], { error: 'must be embedded or s3' }).default('embedded'),
    s3: z.unknown().optional(),
  })
  .transform((value, ctx) => {
    if (value.store !== 's3') return { store: 'embedded' as const };
    const s3 = s3Schema.safeParse(value.s3 ?? {});
    if (!s3.success) {
      for (const issue of s3.error.issues) ctx.addIssue({ ...issue, path: ['s3', ...issue.path] });
      return z.NEVER;
    }
    return { store: 's3' as const, s3: s3.data };
  });

/** Environment variable -> path under `media`. */
export const MEDIA_ENV_VARS = {
  HERALD_MEDIA_STORE: 'media.store',
  HERALD_S3_ENDPOINT: 'media.s3.endpoint',
  HERALD_S3_REGION: 'media.s3.region',
  HERALD_S3_BUCKET: 'media.s3.bucket',
  HERALD_S3_ACCESS_KEY_ID: 'media.s3.accessKeyId',
  HERALD_S3_SECRET_ACCESS_KEY: 'media.s3.secretAccessKey',
  HERALD_S3_PATH_STYLE: 'media.s3.pathStyle',
  HERALD_S3_PREFIX: 'media.s3.prefix',
} as const;
