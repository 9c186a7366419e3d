import { twitterApi } from './library.js';
import type { EUploadMimeType, SendTweetV2Params, TweetV2 } from 'twitter-api-v2';
import { z } from 'zod';
import type { AccountCheck, Channel, PlatformCapabilities, PublishContext } from '../adapter.js';
import type { PublishResult } from '../../domain/delivery-outcome.js';
import type { ChannelAccount } from '../../domain/platform.js';
import { ChannelError, accountCheck } from '../adapter.js';
import { TWEET_LIMIT, twitterComposer } from './compose.js';
import { hasUrl, tweetLength } from '../text.js';
import type { AccountLookup } from '../credentials.js';
import type { TwitterCredentials } from './credentials.js';
import { fetchImage } from '../fetch-image.js';
import { typeOfExtension } from '../../domain/media.js';
import type { ImageFetchPolicy } from '../fetch-image.js';
import { comparableText, decodeTwitterEntities, postedSince, sameUrl } from '../match.js';
import { configuredAccount } from '../guard.js';
import { LiveChannel } from '../live-channel.js';
import { perAccount } from '../account-cache.js';
import { deleteThread, findThreadParts } from '../thread.js';
import { memoryTokenStore } from './auth.js';
import type { TokenStore } from './auth.js';
import { DEFAULT_TWITTER_API_URL } from './client.js';
import { classifyTwitterError, isReplyRefused } from './errors.js';
import { addXUsage } from './cost.js';
import { TwitterAccountSession } from './session.js';

export interface TwitterAccountSettings {
  credentials: TwitterCredentials;
  /** This account's API address, when it differs from the channel's. */
  apiUrl?: string | undefined;
  /** The @username without "@": saves a request when building tweet links. */
  username?: string | undefined;
}

export interface TwitterChannelOptions {
  accounts: AccountLookup<TwitterAccountSettings>;
  /** Where rotated OAuth 2 tokens are kept; defaults to memory (lost on restart: give a real one). */
  tokenStore?: TokenStore | undefined;
  /** Default `https://api.x.com`. */
  apiUrl?: string | undefined;
  /** Per request; default 15 s. */
  timeoutMs?: number | undefined;
  /** Item images: default refuses private, loopback and link-local addresses (config allowPrivateUrls). */
  imageFetch?: ImageFetchPolicy | undefined;
  /** Uploaded pictures are read from the media store, not fetched over HTTP. */
  readMedia?: ((file: string) => Promise<Buffer | null>) | undefined;
  now?: () => Date;
}

const MAX_IMAGE_BYTES = 5 * 1_048_576;
/** How many tweets a look-up reads at most (X charges each post read). */
const MAX_LOOKUP_TWEETS = 1_000;
/** Tweets per page of a look-up: small, since most look-ups find the post among the newest. */
const LOOKUP_PAGE_SIZE = 10;

const progressSchema = z
  .object({ tweetIds: z.array(z.string()).optional(), sendingSince: z.string().optional() })
  .loose();

/** When this delivery first went to send a tweet: a look-up reads nothing older. */
function sendingSince(progress: Record<string, unknown>): string | undefined {
  const parsed = progressSchema.safeParse(progress);
  return parsed.success ? parsed.data.sendingSince : undefined;
}

/** Tweet ids already posted by earlier attempts of this delivery. */
export function postedTweetIds(progress: Record<string, unknown>): string[] {
  const parsed = progressSchema.safeParse(progress);
  return parsed.success ? (parsed.data.tweetIds ?? []) : [];
}

/** The tweet's text as written: t.co links expanded, media links dropped, HTML entities decoded. */
export function tweetTextAsWritten(tweet: Pick<TweetV2, 'text' | 'entities'>): string {
  let text = tweet.text;
  for (const url of tweet.entities?.urls ?? []) {
    const isMedia = 'media_key' in url;
    text = text.split(url.url).join(isMedia ? '' : (url.expanded_url ?? url.url));
  }
  return comparableText(decodeTwitterEntities(text));
}

function linksTo(tweet: TweetV2, url: string): boolean {
  return (tweet.entities?.urls ?? []).some(
    (u) => sameUrl(u.expanded_url, url) || sameUrl((u as { unwound_url?: string }).unwound_url, url),
  );
}

function repliesTo(tweet: TweetV2, id: string): boolean {
  return (tweet.referenced_tweets ?? []).some((r) => r.type === 'replied_to' && r.id === id);
}

export const TWITTER_CAPABILITIES: PlatformCapabilities = {
  update: false,
  delete: true,
  thread: true,
  images: true,
  altText: true,
};

/** Twitter/X adapter over twitter-api-v2: tweets, resumable threads, images with alt text. Cannot edit. */
export class TwitterChannel extends LiveChannel implements Channel {
  private readonly session = perAccount((accountId) => this.createSession(accountId));
  private readonly tokenStore: TokenStore;
  private readonly apiUrl: string;

  constructor(private readonly options: TwitterChannelOptions) {
    super('twitter', TWITTER_CAPABILITIES, twitterComposer, classifyTwitterError, options);
    this.tokenStore = options.tokenStore ?? memoryTokenStore();
    this.apiUrl = options.apiUrl ?? DEFAULT_TWITTER_API_URL;
  }

  publish(ctx: PublishContext): Promise<PublishResult> {
    return this.guard(ctx.account.id, async (session) => {
      const parts = ctx.post.parts;
      const tooLong = parts.map(tweetLength).find((length) => length > TWEET_LIMIT);
      if (tooLong !== undefined) {
        throw new ChannelError({
          kind: 'permanent',
          platformCode: 186,
          message: `The tweet is ${tooLong} characters as Twitter counts them (limit ${TWEET_LIMIT}): shorten the Twitter text or post it as a thread.`,
        });
      }
      const ids = postedTweetIds(ctx.delivery.progress).slice(0, parts.length);
      if (ids.length < parts.length && !sendingSince(ctx.delivery.progress))
        await ctx.saveProgress({ sendingSince: this.now().toISOString() });
      for (let i = ids.length; i < parts.length; i++) {
        const params: SendTweetV2Params = { text: parts[i]! };
        if (i === 0 && ctx.post.image)
          params.media = { media_ids: [await this.uploadImage(session, ctx.post.image)] };
        if (i > 0) params.reply = { in_reply_to_tweet_id: ids[i - 1]! };
        let id: string;
        try {
          id = await this.postTweet(session, params, ctx);
        } catch (error) {
          if (i === 0 || !isReplyRefused(error)) throw error;
          // X's reply settings refused the next part: what is posted stays, the thread is marked partial.
          return this.partialThread(session, ids, parts.length, ctx);
        }
        ids.push(id);
        const paid = hasUrl(parts[i]!) ? { postsWithUrl: 1 } : { posts: 1 };
        await ctx.saveProgress({ tweetIds: [...ids], ...addXUsage(ctx.delivery.progress, paid) });
      }
      return this.result(session, ids);
    });
  }

  remove(ctx: PublishContext & { previous: PublishResult }): Promise<void> {
    return this.guard(ctx.account.id, async (session) => {
      await deleteThread(
        postedTweetIds(ctx.previous.details ?? {}),
        ctx.previous.remoteId,
        (id) => session.call((client) => client.v2.deleteTweet(id)),
        (error) => error instanceof twitterApi().ApiResponseError && error.code === 404,
      );
    });
  }

  /**
   * Looks among the account's tweets since this delivery first sent one for its post (by canonical URL or exact
   * text, then each thread part by text and reply). A thread found only in part is recorded with saveProgress and
   * null is returned, so that publish continues it. X charges every post read, so it reads small pages and stops
   * as soon as what it looks for is among them; the posts read are counted in the delivery's progress.
   */
  findExisting(ctx: PublishContext): Promise<PublishResult | null> {
    return this.guard(ctx.account.id, async (session) => {
      const parts = ctx.post.parts;
      let found = postedTweetIds(ctx.delivery.progress).slice(0, parts.length);
      if (found.length < parts.length) {
        const isPart = (t: TweetV2, i: number, previousId: string | undefined) =>
          this.isPart(t, i, parts[i]!, ctx.item.url, previousId);
        const anchor = found.at(-1);
        // Parts are posted in order and the timeline comes newest first: once the last known part (or a first
        // part) is read, every later part is among the posts read already.
        const tweets = await this.lookUp(session, ctx, (read) =>
          anchor ? read.some((t) => t.id === anchor) : read.some((t) => isPart(t, 0, undefined)),
        );
        found = findThreadParts(parts, found, tweets, isPart).ids;
      }
      if (found.length === 0) return null;
      if (found.length < parts.length) {
        await ctx.saveProgress({ tweetIds: found });
        return null;
      }
      return this.result(session, found);
    });
  }

  async check(account: ChannelAccount): Promise<AccountCheck> {
    return accountCheck(async () => {
      await this.guard(account.id, (session) => session.me(true));
      return { ok: true, reason: null };
    });
  }

  private isPart(
    tweet: TweetV2,
    index: number,
    text: string,
    url: string,
    previousId: string | undefined,
  ): boolean {
    const sameText = tweetTextAsWritten(tweet) === comparableText(text);
    if (index === 0) return sameText || linksTo(tweet, url);
    return sameText && previousId !== undefined && repliesTo(tweet, previousId);
  }

  /** Posts one tweet. A duplicate of a tweet this delivery already made (progress lost in a crash) is adopted. */
  private async postTweet(
    session: TwitterAccountSession,
    params: SendTweetV2Params,
    ctx: PublishContext,
  ): Promise<string> {
    try {
      const result = await session.call(async (client) => {
        await ctx.beforeSend();
        return client.v2.tweet(params);
      });
      return result.data.id;
    } catch (error) {
      if (classifyTwitterError(error, this.now()).platformCode !== 187) throw error;
      const replyTo = params.reply?.in_reply_to_tweet_id;
      const text = comparableText(params.text ?? '');
      const isMine = (t: TweetV2) => tweetTextAsWritten(t) === text && (!replyTo || repliesTo(t, replyTo));
      const tweets = await this.lookUp(session, ctx, (read) => read.some(isMine));
      const mine = tweets.find(isMine);
      if (mine) return mine.id;
      throw error;
    }
  }

  private async uploadImage(
    session: TwitterAccountSession,
    image: { url: string; alt: string; file?: string },
  ): Promise<string> {
    const { bytes, type } = await this.imageBytes(image);
    const mediaId = await session.call((client) =>
      client.v2.uploadMedia(bytes, { media_type: type as `${EUploadMimeType}` }),
    );
    if (image.alt) {
      await session.call((client) =>
        client.v2.createMediaMetadata(mediaId, { alt_text: { text: image.alt.slice(0, 1000) } }),
      );
    }
    return mediaId;
  }

  private async imageBytes(image: { url: string; file?: string }) {
    const stored = image.file && this.options.readMedia ? await this.options.readMedia(image.file) : null;
    if (stored)
      return { bytes: stored, type: typeOfExtension(image.file!.split('.').pop()!) ?? 'image/jpeg' };
    return fetchImage(image.url, {
      ...this.options.imageFetch,
      timeoutMs: this.timeoutMs,
      maxBytes: MAX_IMAGE_BYTES,
    });
  }

  /**
   * Reads the account's tweets since this delivery first sent one, a small page at a time, until `enough` says
   * what was read suffices (or up to MAX_LOOKUP_TWEETS); the posts read are counted in the progress.
   */
  private async lookUp(
    session: TwitterAccountSession,
    ctx: PublishContext,
    enough: (read: readonly TweetV2[]) => boolean,
  ): Promise<TweetV2[]> {
    const me = await session.me();
    const since = postedSince(sendingSince(ctx.delivery.progress) ?? ctx.delivery.createdAt, this.now());
    const tweets = await session.call(async (client) => {
      const timeline = await client.v2.userTimeline(me.id, {
        max_results: LOOKUP_PAGE_SIZE,
        start_time: since.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        exclude: ['retweets'],
        'tweet.fields': ['created_at', 'entities', 'referenced_tweets'],
      });
      while (!timeline.done && !enough(timeline.tweets) && timeline.tweets.length < MAX_LOOKUP_TWEETS)
        await timeline.fetchNext();
      return timeline.tweets;
    });
    await ctx.saveProgress(addXUsage(ctx.delivery.progress, { postsRead: tweets.length }));
    return tweets;
  }

  /** The thread as far as X let it go: done, with the first posts in place and plain words about the rest. */
  private async partialThread(
    session: TwitterAccountSession,
    ids: string[],
    total: number,
    ctx: PublishContext,
  ): Promise<PublishResult> {
    const threadPartial = `X refused part ${ids.length + 1} of ${total} of the thread because of the conversation's reply settings: the first ${ids.length} ${ids.length === 1 ? 'post stays' : 'posts stay'} on X, the rest was not posted, and Herald does not post the thread again.`;
    await ctx.saveProgress({ threadPartial });
    const result = await this.result(session, ids);
    return { ...result, details: { ...result.details, threadPartial } };
  }

  private async result(session: TwitterAccountSession, ids: string[]): Promise<PublishResult> {
    const first = ids[0]!;
    const username = await session.username();
    const remoteUrl = username
      ? `https://x.com/${username}/status/${first}`
      : `https://x.com/i/web/status/${first}`;
    return { remoteId: first, remoteUrl, details: { tweetIds: ids } };
  }

  /** Runs `fn` for an account; every failure leaves as a ChannelError whose message holds no secret. */
  private guard<T>(accountId: string, fn: (session: TwitterAccountSession) => Promise<T>): Promise<T> {
    let session: TwitterAccountSession | undefined;
    return this.guarded(
      () => session?.secrets() ?? [],
      async () => fn((session = await this.session(accountId))),
    );
  }

  private async createSession(accountId: string): Promise<TwitterAccountSession> {
    const settings = await configuredAccount(this.options.accounts, accountId, 'Twitter credentials are');
    const connection = { apiUrl: settings.apiUrl ?? this.apiUrl, timeoutMs: this.timeoutMs };
    return new TwitterAccountSession(
      accountId,
      settings.credentials,
      connection,
      this.tokenStore,
      this.now,
      settings.username,
    );
  }
}
