import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSecretKey } from '../../../src/config/secret-key.js';
import { resolveApiToken } from '../../../src/http/api-token.js';

describe('HERALD_SECRET_KEY generated into the data dir when not set, as the API token is', () => {
  it('generates it once (mode 0600), reads it back afterwards, and prefers the configured one', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'herald-key-')), 'var');
    const first = resolveSecretKey(undefined, dir);
    expect(first.created).toBe(true);
    expect(first.key.length).toBeGreaterThanOrEqual(40);
    expect(statSync(first.file!).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.file!, 'utf8').trim()).toBe(first.key);
    expect(resolveSecretKey(undefined, dir)).toEqual({ ...first, created: false });
    expect(resolveSecretKey('configured-secret-key-0001', dir)).toEqual({
      key: 'configured-secret-key-0001',
      file: null,
      created: false,
    });
    const token = resolveApiToken(undefined, dir);
    expect(token.created).toBe(true);
    expect(token.token).not.toBe(first.key);
  });
});
