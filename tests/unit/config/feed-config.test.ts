import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'herald-feed-config-'));

function problems(env: NodeJS.ProcessEnv, cwd = dir()): string[] {
  try {
    loadConfig({ env, cwd });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('feed configuration', () => {
  it('defaults: no sources, no hub, webhook off, private sources refused, 2 s rebuild interval', () => {
    const { feed } = loadConfig({ env: {}, cwd: dir() });
    expect(feed).toMatchObject({
      limit: 50,
      language: 'en',
      rebuildIntervalMs: 2000,
      maxAgeSeconds: 60,
      sources: [],
      allowPrivateSources: false,
      fetchTimeoutMs: 10_000,
    });
    expect(feed.hubUrl).toBeUndefined();
    expect(feed.webhookSecret).toBeUndefined();
  });

  it('reads sources from the file, with defaults per source, and the rest from the environment', () => {
    const cwd = dir();
    writeFileSync(
      path.join(cwd, 'h.yaml'),
      'feed:\n  webhookSecret: ${CMS_SECRET}\n  sources:\n    - id: website\n      url: https://alliance.example/feed.xml\n    - id: town-fr\n      url: https://town.example/rss\n      mode: publish\n      language: fr\n      everyMinutes: 5\n',
    );
    const { feed } = loadConfig({
      env: {
        HERALD_CONFIG: 'h.yaml',
        CMS_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        HERALD_WEBSUB_HUB_URL: 'https://hub.example/',
        HERALD_ALLOW_PRIVATE_SOURCES: 'false',
        HERALD_FEED_REBUILD_INTERVAL_MS: '500',
      },
      cwd,
    });
    expect(feed.sources).toEqual([
      { id: 'website', url: 'https://alliance.example/feed.xml', mode: 'draft', everyMinutes: 15 },
      { id: 'town-fr', url: 'https://town.example/rss', mode: 'publish', language: 'fr', everyMinutes: 5 },
    ]);
    expect(feed).toMatchObject({
      webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      hubUrl: 'https://hub.example/',
      allowPrivateSources: false,
      rebuildIntervalMs: 500,
    });
    expect(
      loadConfig({ env: { HERALD_ALLOW_PRIVATE_SOURCES: 'yes' }, cwd: dir() }).feed.allowPrivateSources,
    ).toBe(true);
  });

  it('names each bad source field, duplicate ids included', () => {
    const cwd = dir();
    writeFileSync(
      path.join(cwd, 'h.json'),
      JSON.stringify({
        feed: {
          sources: [
            { id: 'Web Site', url: 'ftp://x', mode: 'auto' },
            { id: 'a', url: 'https://a.example/', everyMinutes: 0, language: 'English' },
            { id: 'a', url: 'https://b.example/' },
          ],
        },
      }),
    );
    const found = problems({ HERALD_CONFIG: 'h.json' }, cwd).join('\n');
    expect(found).toContain('feed.sources.0.id: must be lowercase letters, digits');
    expect(found).toContain('feed.sources.0.url: must be an absolute http(s) URL');
    expect(found).toContain('feed.sources.0.mode: must be "draft", "publish" or "review"');
    expect(found).toContain('feed.sources.1.everyMinutes: must be 1-1440');
    expect(found).toContain('feed.sources.1.language: must be a BCP 47 language tag');
    writeFileSync(
      path.join(cwd, 'd.json'),
      JSON.stringify({
        feed: {
          sources: [
            { id: 'a', url: 'https://a.example/' },
            { id: 'a', url: 'https://b.example/' },
          ],
        },
      }),
    );
    expect(problems({ HERALD_CONFIG: 'd.json' }, cwd)).toEqual([
      'feed.sources.1.id: "a" is used by another source',
    ]);
  });

  it('a short webhook secret or a bad hub or flag is refused without echoing the secret', () => {
    const found = problems({
      HERALD_WEBHOOK_SECRET: 'tiny-secret',
      HERALD_WEBSUB_HUB_URL: 'hub',
      HERALD_ALLOW_PRIVATE_SOURCES: 'maybe',
    }).join('\n');
    expect(found).toContain(
      'HERALD_WEBHOOK_SECRET (feed.webhookSecret): must be whsec_ followed by the base64 of at least 24 random bytes',
    );
    expect(found).toContain('HERALD_WEBSUB_HUB_URL (feed.hubUrl): must be an absolute http(s) URL');
    expect(found).toContain('HERALD_ALLOW_PRIVATE_SOURCES (feed.allowPrivateSources): must be true or false');
    expect(found).not.toContain('tiny-secret');
  });
});
