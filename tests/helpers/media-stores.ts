import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export type MediaStoreUnderTest = 'embedded' | 's3';

/**
 * The media stores every media test runs against: the data dir, and an S3 bucket on s3rver (npm, a
 * local S3-compatible server: path-style PUT/GET/HEAD/DELETE, NoSuchKey XML, SigV4 headers whose access
 * key it checks; it does not verify the signature itself).
 */
export const MEDIA_STORES: MediaStoreUnderTest[] = ['embedded', 's3'];

/** s3rver's one account. */
export const S3RVER_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface TestMediaStore {
  /** Configuration overrides for startTestApp. */
  overrides: Record<string, unknown>;
  /** The bucket's address (path-style) when the store is S3: `${bucketUrl}/<key>` reads an object. */
  bucketUrl: string | null;
  close(): Promise<void>;
}

export async function startTestMediaStore(kind: MediaStoreUnderTest): Promise<TestMediaStore> {
  if (kind === 'embedded') return { overrides: {}, bucketUrl: null, close: async () => undefined };
  const directory = mkdtempSync(path.join(tmpdir(), 'herald-s3-'));
  const bucket = 'herald-media';
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    overrides: {
      media: { store: 's3', s3: { endpoint, bucket, pathStyle: true, prefix: 'uploads/', ...S3RVER_KEYS } },
    },
    bucketUrl: `${endpoint}/${bucket}/uploads`,
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
