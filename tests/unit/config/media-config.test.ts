import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';

const load = (env: NodeJS.ProcessEnv) => loadConfig({ env, cwd: '/tmp' });
const S3_ENV = {
  HERALD_MEDIA_STORE: 's3',
  HERALD_S3_ENDPOINT: 'http://127.0.0.1:9000',
  HERALD_S3_BUCKET: 'media',
  HERALD_S3_ACCESS_KEY_ID: 'key-id',
  HERALD_S3_SECRET_ACCESS_KEY: 'secret-value-123',
  HERALD_S3_PATH_STYLE: 'yes',
};

describe('media store configuration', () => {
  it('is the data dir unless s3 is chosen', () => {
    expect(load({}).media).toEqual({ store: 'embedded' });
  });

  it('reads the S3 settings from the environment', () => {
    expect(load(S3_ENV).media).toEqual({
      store: 's3',
      s3: {
        endpoint: 'http://127.0.0.1:9000',
        region: 'us-east-1',
        bucket: 'media',
        accessKeyId: 'key-id',
        secretAccessKey: 'secret-value-123',
        pathStyle: true,
        prefix: '',
      },
    });
  });

  it('names every missing S3 setting, and a bad store by name', () => {
    expect(() => load({ HERALD_MEDIA_STORE: 's3', HERALD_S3_BUCKET: 'media' })).toThrow(
      /media\.s3\.accessKeyId: is required with store: s3[\s\S]*media\.s3\.secretAccessKey: is required with store: s3/,
    );
    expect(() => load({ ...S3_ENV, HERALD_S3_ENDPOINT: 'ftp://x' })).toThrow(
      /HERALD_S3_ENDPOINT \(media\.s3\.endpoint\): must be an absolute http\(s\) URL/,
    );
    expect(() => load({ HERALD_MEDIA_STORE: 'disk' })).toThrow(
      /HERALD_MEDIA_STORE \(media\.store\): must be embedded or s3/,
    );
  });

  it('never shows the secret in a configuration error', () => {
    const error = (() => {
      try {
        load({ ...S3_ENV, HERALD_S3_PATH_STYLE: 'maybe' });
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(error?.message).toMatch(/HERALD_S3_PATH_STYLE/);
    expect(error?.message).not.toContain('secret-value-123');
  });
});
