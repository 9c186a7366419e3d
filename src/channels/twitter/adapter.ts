import { twitterApi } from './library.js';
import type { EUploadMimeType, SendTweetV2Params, TweetV2 } from 'twitter-api-v2';
import { z } from 'zod';
import type { AccountCheck, Channel, PlatformCapabilities, PublishContext } from '../adapter.js';
import type { PublishResult } from '../../domain/delivery-outcome.js';
import type { ChannelAccount } from '../../domain/platform.js';
import { ChannelError, accountCheck } from '../adapter.js';
import { TWEET_LIMIT, twitterComposer } from './compose.js';
import { tweetLength } from '../text.js';
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
import { classifyTwitterError } from './errors.js';
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
/** How many recent tweets findExisting reads at most. */
const MAX_TIMELINE_TWEETS = 1_000;

const progressSchema = z.object({ tweetIds: z.array(z.string()).optional() }).loose();

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
      for (let i = ids.length; i < parts.length; i++) {
        const params: SendTweetV2Params = { text: parts[i]! };
        if (i === 0 && ctx.post.image)
          params.media = { media_ids: [await this.uploadImage(session, ctx.post.image)] };
        if (i > 0) params.reply = { in_reply_to_tweet_id: ids[i - 1]! };
        ids.push(await this.postTweet(session, params, ctx));
        await ctx.saveProgress({ tweetIds: [...ids] });
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
   * Looks among the account's recent tweets for this delivery's post (by canonical URL or exact text, then each
   * thread part by text and reply). A thread found only in part is recorded with saveProgress and null is
   * returned, so that publish continues it.
   */
  findExisting(ctx: PublishContext): Promise<PublishResult | null> {
    return this.guard(ctx.account.id, async (session) => {
      const parts = ctx.post.parts;
      let found = postedTweetIds(ctx.delivery.progress).slice(0, parts.length);
      if (found.length < parts.length) {
        const tweets = await this.recentTweets(session, ctx);
        found = findThreadParts(parts, found, tweets, (t, i, previousId) =>
          this.isPart(t, i, parts[i]!, ctx.item.url, previousId),
        ).ids;
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
      const tweets = await this.recentTweets(session, ctx);
      const text = comparableText(params.text ?? '');
      const mine = tweets.find((t) => tweetTextAsWritten(t) === text && (!replyTo || repliesTo(t, replyTo)));
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

  private async recentTweets(session: TwitterAccountSession, ctx: PublishContext): Promise<TweetV2[]> {
    const me = await session.me();
    const since = postedSince(ctx.delivery.createdAt, this.now());
    return session.call(async (client) => {
      const timeline = await client.v2.userTimeline(me.id, {
        max_results: 100,
        start_time: since.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        exclude: ['retweets'],
        'tweet.fields': ['created_at', 'entities', 'referenced_tweets'],
      });
      while (!timeline.done && timeline.tweets.length < MAX_TIMELINE_TWEETS) await timeline.fetchNext();
      return timeline.tweets;
    });
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
