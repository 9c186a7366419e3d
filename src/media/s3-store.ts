import { createHash } from 'node:crypto';
import path from 'node:path';
import type * as S3 from '@aws-sdk/client-s3';
import { HeraldError } from '../domain/errors.js';
import { lazyRequire } from '../lazy-module.js';
import type { MediaStore } from './store.js';

/** An S3-compatible bucket (see `media.s3` in the configuration). */
export interface S3StoreSettings {
  endpoint?: string | undefined;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  pathStyle: boolean;
  prefix: string;
}

/** The bucket could not be reached or refused Herald: names the operation and bucket, never a credential. */
export class MediaStoreError extends HeraldError {
  constructor(operation: string, bucket: string, cause: unknown) {
    super(`the media store (S3 bucket ${bucket}) failed to ${operation}: ${describe(cause)}`, {
      code: 'media_store_unavailable',
      httpStatus: 503,
      cause,
    });
  }
}

function describe(error: unknown): string {
  if (!(error instanceof awsS3().S3ServiceException)) return (error as Error).message ?? String(error);
  const status = error.$metadata.httpStatusCode;
  // A HEAD answer has no body, hence no error name: the status says it.
  const name = error.name === 'Unknown' || !error.name ? (REFUSALS[status ?? 0] ?? 'refused') : error.name;
  return `${name} (HTTP ${status ?? 'no answer'})`;
}

const REFUSALS: Record<number, string> = {
  400: 'bad request',
  403: 'access denied (check the access key id and secret, and the bucket policy)',
};

/** The AWS SDK when a bucket is first used: an install with its media in the data dir never loads it. */
const awsS3 = lazyRequire<typeof S3>('@aws-sdk/client-s3');

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The S3 store. Keys are `<prefix><sha256>.<ext>`: a key's bytes never change, so put leaves a key that
 * exists alone (no overwrite, no second upload of the same picture) and sends Content-MD5 so the service
 * refuses bytes damaged on the way. Checksums are sent only when an operation requires them: several
 * S3-compatible servers refuse the SDK's default CRC32 trailers.
 */
export function s3MediaStore(settings: S3StoreSettings): MediaStore {
  const { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } = awsS3();
  const client = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.pathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
  const { bucket } = settings;
  const object = (name: string) => ({ Bucket: bucket, Key: `${settings.prefix}${path.basename(name)}` });
  const failed = (operation: string) => (error: unknown) => {
    throw new MediaStoreError(operation, bucket, error);
  };
  const has = (name: string) =>
    client.send(new HeadObjectCommand(object(name))).then(
      () => true,
      (error: unknown) => (status(error) === 404 ? false : failed(`look for ${name}`)(error)),
    );
  return {
    has,
    async put(name, bytes, type) {
      if (await has(name)) return;
      const md5 = createHash('md5').update(bytes).digest('base64');
      await client
        .send(
          new PutObjectCommand({
            ...object(name),
            Body: bytes,
            ContentType: type,
            ContentLength: bytes.length,
            ContentMD5: md5,
            CacheControl: IMMUTABLE,
          }),
        )
        .catch(failed(`store ${name}`));
    },
    async get(name) {
      try {
        const found = await client.send(new GetObjectCommand(object(name)));
        return Buffer.from(await found.Body!.transformToByteArray());
      } catch (error) {
        if (status(error) === 404) return null;
        return failed(`read ${name}`)(error);
      }
    },
    async delete(name) {
      // S3 answers 204 whether the key existed or not.
      await client.send(new DeleteObjectCommand(object(name))).catch(failed(`delete ${name}`));
    },
  };
}

function status(error: unknown): number | undefined {
  return error instanceof awsS3().S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}
