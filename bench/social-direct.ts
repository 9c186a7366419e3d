// The same-run baseline for bench/social.ts: the chosen adapters (Twitter, Facebook, Mastodon, LinkedIn, Bluesky) called
// in a plain loop (no queue, no database), in their own process like the workers, at the same concurrency; no new post is
// started after maxSeconds (a large backlog is measured over that window). Bluesky keeps its session in memory.
// Prints {"posts", "seconds", "postsPerSecond", "cpuMsPerPost", "peakMb"}.
// Usage (from bench/social.ts): npx tsx bench/social-direct.ts '<DirectArgs as JSON>'
import type { PublishContext } from '../src/channels/adapter.js';
import type { ChannelAccount } from '../src/domain/platform.js';
import type { Channel } from '../src/channels/adapter.js';
import { BlueskyChannel } from '../src/channels/bluesky/adapter.js';
import { FacebookChannel } from '../src/channels/facebook/adapter.js';
import { MastodonChannel } from '../src/channels/mastodon/adapter.js';
import { LinkedInChannel } from '../src/channels/linkedin/adapter.js';
import { linkedinCredentialsFrom } from '../src/channels/linkedin/credentials.js';
import { TwitterChannel } from '../src/channels/twitter/adapter.js';
import type { Delivery } from '../src/domain/delivery.js';
import type { NewsItem } from '../src/domain/item.js';

/** What bench/social.ts passes: the size, and each fake's address and credentials. */
export interface DirectArgs {
  posts: number;
  concurrency: number;
  maxSeconds: number;
  platforms: string[];
  twitter: { url: string; accessToken: string };
  facebook: { url: string; pageId: string; pageToken: string };
  mastodon: { url: string; token: string };
  linkedin: { url: string; organizationId: string; token: string };
  bluesky: { url: string; identifier: string; appPassword: string };
}

const args = JSON.parse(process.argv[2]!) as DirectArgs;
const POSTS = args.posts;
const CONCURRENCY = args.concurrency;
const MAX_MS = args.maxSeconds * 1000;

const adapters: Record<string, () => Channel> = {
  twitter: () =>
    new TwitterChannel({
      apiUrl: args.twitter.url,
      accounts: () => ({
        credentials: {
          kind: 'oauth1',
          appKey: 'bench-key',
          appSecret: 'bench-secret',
          accessToken: args.twitter.accessToken,
          accessSecret: 'bench-access-secret',
        },
      }),
    }),
  facebook: () =>
    new FacebookChannel({
      graphUrl: args.facebook.url,
      accounts: () => ({ credentials: { pageId: args.facebook.pageId, pageToken: args.facebook.pageToken } }),
    }),
  mastodon: () =>
    new MastodonChannel({
      instanceUrl: args.mastodon.url,
      accounts: () => ({ credentials: { accessToken: args.mastodon.token, visibility: 'public' } }),
    }),
  linkedin: () =>
    new LinkedInChannel({
      apiUrl: args.linkedin.url,
      accounts: () => ({
        credentials: linkedinCredentialsFrom({
          organizationId: args.linkedin.organizationId,
          accessToken: args.linkedin.token,
        }),
      }),
    }),
  bluesky: () =>
    new BlueskyChannel({
      service: args.bluesky.url,
      accounts: () => ({
        credentials: { identifier: args.bluesky.identifier, appPassword: args.bluesky.appPassword },
      }),
    }),
};
const channels = args.platforms.map((p) => adapters[p]!());

function item(n: number): NewsItem {
  const now = new Date().toISOString();
  return {
    id: `itm_direct_${n}`,
    slug: `direct-${n}`,
    title: `Direct ${n}`,
    summary: '',
    body: '',
    bodyHtml: '',
    url: `https://example.org/direct/${n}`,
    imageUrl: null,
    imageAlt: null,
    imageId: null,
    tags: ['bench'],
    language: 'en',
    translations: {},
    channelTexts: {},
    thread: false,
    status: 'published',
    revision: 1,
    publishedRevision: 1,
    publishAt: null,
    publishTimezone: null,
    publishChannels: null,
    announce: false,
    scheduleToken: null,
    publishedAt: now,
    withdrawnAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

function context(n: number, channel: Channel): PublishContext {
  const account: ChannelAccount = {
    id: channel.platform,
    platform: channel.platform,
    name: channel.platform,
    mode: 'live',
    state: 'ok',
    stateReason: null,
  };
  const now = new Date().toISOString();
  const delivery: Delivery = {
    id: `dlv_direct_${n}`,
    itemId: `itm_direct_${n}`,
    revision: 1,
    kind: 'channel',
    target: account.id,
    action: 'create',
    status: 'running',
    attempts: 1,
    lastError: null,
    errorKind: null,
    remoteId: null,
    remoteUrl: null,
    progress: {},
    nextAttemptAt: null,
    startedAt: now,
    finishedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  const it = item(n);
  return {
    delivery,
    item: it,
    account,
    post: channel.compose(it, account),
    saveProgress: async () => undefined,
    beforeSend: async () => undefined, // no queue, no claim to lose
  };
}

let next = 0;
let posted = 0;
let deadline = Infinity;
async function lane(): Promise<void> {
  for (let n = next++; n < POSTS && performance.now() < deadline; n = next++) {
    const channel = channels[n % channels.length]!;
    const ctx = context(Math.floor(n / channels.length), channel);
    await channel.prepare?.(ctx.account);
    await channel.publish(ctx);
    posted++;
  }
}

// Warm up the connections, the Twitter identity, the Mastodon instance limits and the Bluesky session, as a running
// worker would have.
for (const channel of channels) await channel.publish(context(-1, channel));
const started = performance.now();
deadline = started + MAX_MS;
const cpu = process.cpuUsage();
await Promise.all(Array.from({ length: CONCURRENCY }, lane));
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
console.log(
  JSON.stringify({
    posts: posted,
    seconds,
    postsPerSecond: posted / seconds,
    cpuMsPerPost: (used.user + used.system) / 1000 / posted,
    peakMb: process.resourceUsage().maxRSS / 1024,
  }),
);
