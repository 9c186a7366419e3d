// A process that rebuilds the feeds again and again, each time with another title (so every file
// changes), until it is killed. The crash test kills it at random moments while reading the feeds.
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { openStore } from '../../src/store/db.js';
import { FeedService } from '../../src/feed/feed-service.js';

const config = loadConfig();
const store = openStore(config.databaseUrl, config.dataDir);
const log = createLogger('silent');
for (let round = 0; ; round++) {
  const feeds = new FeedService({
    store,
    log,
    config: { ...config, feed: { ...config.feed, title: `Round ${process.pid}-${round}` } },
  });
  await feeds.ensureCurrent('crash test', { force: true });
  if (round === 0) process.stdout.write('built\n');
}
