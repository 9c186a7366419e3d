import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'herald-private-urls-'));
const allowed = (env: NodeJS.ProcessEnv, file?: string) => {
  const cwd = dir();
  if (file) writeFileSync(path.join(cwd, 'h.yaml'), file);
  const config = loadConfig({ env: { ...(file && { HERALD_CONFIG: 'h.yaml' }), ...env }, cwd });
  expect(config.feed.allowPrivateSources).toBe(config.allowPrivateUrls); // one switch, read under either name
  return config.allowPrivateUrls;
};

describe('allowPrivateUrls (HERALD_ALLOW_PRIVATE_URLS), alias feed.allowPrivateSources (HERALD_ALLOW_PRIVATE_SOURCES)', () => {
  it('is off by default', () => {
    expect(allowed({})).toBe(false);
  });

  it('is set by its own name, in the file or the environment', () => {
    expect(allowed({ HERALD_ALLOW_PRIVATE_URLS: 'true' })).toBe(true);
    expect(allowed({}, 'allowPrivateUrls: true\n')).toBe(true);
    expect(allowed({ HERALD_ALLOW_PRIVATE_URLS: 'no' }, 'allowPrivateUrls: true\n')).toBe(false);
  });

  it('is also set by the older name', () => {
    expect(allowed({ HERALD_ALLOW_PRIVATE_SOURCES: 'yes' })).toBe(true);
    expect(allowed({}, 'feed:\n  allowPrivateSources: true\n')).toBe(true);
  });

  it('the new name wins when both are set', () => {
    expect(allowed({ HERALD_ALLOW_PRIVATE_SOURCES: 'true', HERALD_ALLOW_PRIVATE_URLS: 'false' })).toBe(false);
    expect(allowed({ HERALD_ALLOW_PRIVATE_SOURCES: 'false', HERALD_ALLOW_PRIVATE_URLS: 'true' })).toBe(true);
  });

  it('refuses a value that is not a yes or no, naming the variable', () => {
    expect(() => loadConfig({ env: { HERALD_ALLOW_PRIVATE_URLS: 'maybe' }, cwd: dir() })).toThrow(
      'HERALD_ALLOW_PRIVATE_URLS (allowPrivateUrls): must be true or false',
    );
  });
});
