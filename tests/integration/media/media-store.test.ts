import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { loadConfig } from '../../../src/config/load.js';
import { mediaStoreFor } from '../../../src/app/media.js';
import { s3MediaStore, MediaStoreError } from '../../../src/media/s3-store.js';
import type { MediaStore } from '../../../src/media/store.js';
import { MEDIA_STORES, startTestMediaStore, type TestMediaStore } from '../../helpers/media-stores.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'herald-media-store-'));
const named = (bytes: Buffer, ext = 'png') => `${createHash('sha256').update(bytes).digest('hex')}.${ext}`;

for (const kind of MEDIA_STORES) {
  describe(`the ${kind} media store`, () => {
    let server: TestMediaStore;
    let store: MediaStore;

    beforeAll(async () => {
      server = await startTestMediaStore(kind);
      const config = loadConfig({
        env: {},
        cwd: tempDir(),
        overrides: { dataDir: tempDir(), ...server.overrides },
      });
      store = mediaStoreFor(config);
    });
    afterAll(async () => server?.close());

    it('puts, reads back, tells what it has, deletes; an unknown name reads as null', async () => {
      const bytes = Buffer.from(`picture ${kind} ${Math.random()}`);
      const name = named(bytes);
      expect(await store.has(name)).toBe(false);
      expect(await store.get(name)).toBeNull();
      await store.put(name, bytes, 'image/png');
      expect(await store.has(name)).toBe(true);
      expect((await store.get(name))?.equals(bytes)).toBe(true);
      await store.delete(name);
      expect(await store.has(name)).toBe(false);
      expect(await store.get(name)).toBeNull();
      await store.delete(name); // deleting what is gone is not an error
    });

    it('never overwrites: a name already stored keeps its first bytes', async () => {
      const first = Buffer.from(`first ${kind} ${Math.random()}`);
      const name = named(first);
      await store.put(name, first, 'image/png');
      await store.put(name, Buffer.from('other bytes under the same name'), 'image/png');
      expect((await store.get(name))?.equals(first)).toBe(true);
    });
  });
}

describe('the S3 media store against s3rver', () => {
  let server: TestMediaStore;
  let settings: Parameters<typeof s3MediaStore>[0];

  beforeAll(async () => {
    server = await startTestMediaStore('s3');
    const config = loadConfig({ env: {}, cwd: tempDir(), overrides: server.overrides });
    if (config.media.store !== 's3') throw new Error('expected the s3 store');
    settings = config.media.s3;
  });
  afterAll(async () => server?.close());

  it('stores objects under the prefix with their own type and immutable caching', async () => {
    const bytes = Buffer.from(`gif ${Math.random()}`);
    const name = named(bytes, 'gif');
    await s3MediaStore(settings).put(name, bytes, 'image/gif');
    const stored = await fetch(`${server.bucketUrl}/${name}`);
    expect(stored.status).toBe(200);
    expect(stored.headers.get('content-type')).toBe('image/gif');
    expect(stored.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await stored.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('an unknown access key fails with media_store_unavailable, naming the bucket and never the secret', async () => {
    const wrong = s3MediaStore({
      ...settings,
      accessKeyId: 'NOT-A-KEY',
      secretAccessKey: 'secret-never-shown-42',
    });
    const error = await wrong
      .put(named(Buffer.from('x')), Buffer.from('x'), 'image/png')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaStoreError);
    expect(error).toMatchObject({ code: 'media_store_unavailable', httpStatus: 503 });
    expect((error as Error).message).toMatch(/S3 bucket herald-media.*access denied.*\(HTTP 403\)/);
    expect((error as Error).message).not.toContain('secret-never-shown-42');
  });

  it('an unreachable service fails with media_store_unavailable', async () => {
    const gone = s3MediaStore({ ...settings, endpoint: 'http://127.0.0.1:9' });
    await expect(gone.get(named(Buffer.from('y')))).rejects.toMatchObject({
      code: 'media_store_unavailable',
    });
  });
});
