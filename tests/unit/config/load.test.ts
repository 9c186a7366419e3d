import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'herald-config-'));

describe('configuration', () => {
  it('needs nothing: defaults give a working install', () => {
    const cwd = dir();
    const config = loadConfig({ env: {}, cwd });
    expect(config).toMatchObject({
      port: 8080,
      timezone: 'Europe/Paris',
      publicUrl: 'http://localhost:8080',
      dataDir: path.join(cwd, 'var'),
      queuePrefix: '{herald}',
    });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('environment overrides the file; ${VARS} in the file are expanded', () => {
    const cwd = dir();
    writeFileSync(
      path.join(cwd, 'herald.yaml'),
      'port: 9000\nsiteUrl: https://alliance.example\nchannels:\n  accounts:\n    - id: fb\n      platform: facebook\n      credentials: { pageToken: "${FB_TOKEN}" }\n',
    );
    const config = loadConfig({
      env: { HERALD_CONFIG: 'herald.yaml', PORT: '9100', FB_TOKEN: 'secret-token' },
      cwd,
    });
    expect(config.port).toBe(9100);
    expect(config.siteUrl).toBe('https://alliance.example');
    expect(config.channels.accounts?.[0]?.credentials?.pageToken).toBe('secret-token');
  });

  it('one message per bad field, naming the variable it came from', () => {
    try {
      loadConfig({
        env: {
          PORT: 'eighty',
          HERALD_TIMEZONE: 'Paris',
          HERALD_PUBLIC_URL: 'ftp://x',
          REDIS_URL: 'localhost:6379',
        },
        cwd: dir(),
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('PORT (port)');
      expect(problems).toContain('HERALD_TIMEZONE (timezone): must be an IANA time zone');
      expect(problems).toContain('HERALD_PUBLIC_URL (publicUrl): must be an absolute http(s) URL');
      expect(problems).toContain('REDIS_URL (redisUrl): must start with redis://');
      expect((error as ConfigError).problems).toHaveLength(4);
    }
  });

  it('unknown options in the file and a missing HERALD_CONFIG file are errors', () => {
    const cwd = dir();
    writeFileSync(path.join(cwd, 'h.json'), JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ env: { HERALD_CONFIG: 'h.json' }, cwd })).toThrow(/prot: unknown option/);
    expect(() => loadConfig({ env: { HERALD_CONFIG: 'nope.yaml' }, cwd })).toThrow(/does not exist/);
  });

  it('the documented example configuration is valid', () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    const config = loadConfig({ env: { HERALD_CONFIG: 'config/herald.example.yaml' }, cwd: root });
    expect(config.publicUrl).toBe('https://herald.alliance.example');
    expect(config.channels.accounts?.map((a) => a.id)).toEqual([
      'twitter',
      'facebook',
      'mastodon',
      'linkedin',
    ]);
  });

  it('never echoes a secret in an error', () => {
    try {
      loadConfig({ env: { HERALD_API_TOKEN: 'short' }, cwd: dir() });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain(
        'HERALD_API_TOKEN (apiToken): must be at least 16 characters',
      );
      expect((error as Error).message).not.toContain('short');
    }
  });
});
