import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/databases.js';
import { sampleItem, startTestApp, type TestApp } from '../../helpers/app.js';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { startFakeFeedSource, type FakeFeedSource } from '../../fakes/feed-source.js';
import { createItem } from '../../../src/app/items.js';
import { requestPublish } from '../../../src/app/publishing.js';

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`herald feed build / check (${dialect})`, () => {
    let app: TestApp | undefined;
    let fake: FakeFeedSource | undefined;
    afterEach(async () => {
      await app?.close();
      await fake?.close();
    });

    it('`feed build` writes the feeds; `feed check` passes them and reports the problems of a broken one', async () => {
      app = await startTestApp(dialect);
      const item = await createItem(app.ctx.store, sampleItem(1, { tags: ['climate'] }), 'test');
      await requestPublish(app.ctx, item.id, { actor: 'test' });
      const env = app.childEnv();

      const build = spawnHerald(['feed', 'build'], env);
      expect(await waitForExit(build, 60_000)).toBe(0);
      expect(build.output()).toMatch(
        /published items: 1; feeds: 3 \(x3 formats\); files changed: 9; in .*feeds/,
      );
      const rss = path.join(app.db.dataDir, 'feeds', 'rss.xml');
      expect(readFileSync(rss, 'utf8')).toContain(item.title);

      const good = spawnHerald(['feed', 'check', rss], env);
      expect(await waitForExit(good, 60_000)).toBe(0);
      expect(good.output()).toMatch(/rss, 1 entries, 0 errors/);

      const broken = path.join(app.db.dataDir, 'broken.xml');
      writeFileSync(
        broken,
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</titel></item></channel></rss>',
      );
      const bad = spawnHerald(['feed', 'check', broken], env);
      expect(await waitForExit(bad, 60_000)).toBe(1);
      expect(bad.output()).toMatch(/error\s+feed: not well-formed XML/);

      // A URL: the private-address guard applies unless allowed for this check (or by the configuration).
      fake = await startFakeFeedSource([{ guid: 'a', title: 'A' }]);
      const strict = { ...env, HERALD_ALLOW_PRIVATE_URLS: 'false' };
      const refused = spawnHerald(['feed', 'check', fake.url()], strict);
      expect(await waitForExit(refused, 60_000)).toBe(1);
      expect(refused.output()).toContain('herald: address 127.0.0.1 is loopback');
      const allowed = spawnHerald(['feed', 'check', '--allow-private', fake.url()], strict);
      expect(await waitForExit(allowed, 60_000)).toBe(0);
      expect(allowed.output()).toMatch(/rss, 1 entries, 0 errors/);
    }, 120_000);
  });
}
