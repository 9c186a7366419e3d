import type { Agent, AppBskyFeedPost, BlobRef } from '@atproto/api';
import { atproto } from './library.js';
import { z } from 'zod';
import type { AccountCheck, Channel, PlatformCapabilities, PublishContext } from '../adapter.js';
import type { PublishResult } from '../../domain/delivery-outcome.js';
import type { ChannelAccount } from '../../domain/platform.js';
import { ChannelError, accountCheck } from '../adapter.js';
import type { AccountLookup } from '../credentials.js';
import { fetchImage, type ImageFetchPolicy } from '../fetch-image.js';
import { configuredAccount } from '../guard.js';
import { LiveChannel } from '../live-channel.js';
import { plainLine } from '../text.js';
import { blueskyComposer } from './compose.js';
import type { BlueskyCredentials } from './credentials.js';
import { classifyBlueskyError } from './errors.js';
import { reducedImage } from './image.js';
import { POST_LIMIT, graphemeCount, withShortLinks } from './rich.js';
import { BlueskySession, memorySessionStore, type SessionStore, type WithLock } from './session.js';
import { deliveryRecordKey } from './tid.js';

export const DEFAULT_BLUESKY_SERVICE = 'https://bsky.social';
const POST = 'app.bsky.feed.post';
/** What is downloaded before reduction below Bluesky's 1,000,000 bytes. */
const MAX_DOWNLOAD_BYTES = 20 * 1_048_576;

export interface BlueskyAccountSettings {
  credentials: BlueskyCredentials;
  /** This account's PDS, when it differs from the channel's. */
  service?: string | undefined;
}

export interface BlueskyChannelOptions {
  accounts: AccountLookup<BlueskyAccountSettings>;
  /** Where sessions are kept between processes; defaults to memory (give an encrypted one). */
  sessionStore?: SessionStore | undefined;
  withLock?: WithLock | undefined;
  /** Default https://bsky.social */
  service?: string | undefined;
  timeoutMs?: number | undefined;
  imageFetch?: ImageFetchPolicy | undefined;
  now?: () => Date;
}

interface StrongRef {
  uri: string;
  cid: string;
}

interface Connection {
  agent: Agent;
  session: BlueskySession;
  did: string;
}

const progressSchema = z
  .object({ posts: z.array(z.object({ uri: z.string(), cid: z.string() })).optional() })
  .loose();

/** Posts (uri and cid) already made by earlier attempts of this delivery, in thread order. */
function postedParts(progress: Record<string, unknown> | undefined): StrongRef[] {
  const parsed = progressSchema.safeParse(progress ?? {});
  return parsed.success ? (parsed.data.posts ?? []) : [];
}

const rkeyOf = (uri: string): string => uri.split('/').at(-1) ?? '';

/** Bluesky has no edit. */
export const BLUESKY_CAPABILITIES: PlatformCapabilities = {
  update: false,
  delete: true,
  thread: true,
  images: true,
  altText: true,
};

/**
 * Bluesky adapter over @atproto/api's Agent with Herald's own session manager (see session.ts). Each post of a
 * delivery has a record key derived from the delivery id, so a repeated create is refused by the PDS and
 * getRecord on that key tells whether an attempt of unknown outcome posted.
 */
export class BlueskyChannel extends LiveChannel implements Channel {
  // One session and one Agent per account (building an Agent takes ~20 ms: it sets up every lexicon namespace).
  private readonly connections = new Map<string, { key: string; session: BlueskySession; agent: Agent }>();
  private readonly store: SessionStore;

  constructor(private readonly options: BlueskyChannelOptions) {
    super('bluesky', BLUESKY_CAPABILITIES, blueskyComposer, classifyBlueskyError, options);
    this.store = options.sessionStore ?? memorySessionStore();
  }

  publish(ctx: PublishContext): Promise<PublishResult> {
    return this.guard(ctx.account.id, async (c) => {
      const parts = ctx.post.parts;
      const posts = postedParts(ctx.delivery.progress).slice(0, parts.length);
      for (let i = posts.length; i < parts.length; i++) {
        const record = await this.record(c, ctx, i, posts);
        await ctx.beforeSend();
        posts.push(await this.create(c, this.rkey(ctx, i), record));
        // The last part's record goes back in the result, written with the completion in one statement.
        if (i < parts.length - 1) await ctx.saveProgress({ posts: [...posts] });
      }
      return this.result(c, posts);
    });
  }

  remove(ctx: PublishContext & { previous: PublishResult }): Promise<void> {
    return this.guard(ctx.account.id, async (c) => {
      const posts = postedParts(ctx.previous.details).map((p) => p.uri);
      // Last reply first, so a thread never shows replies to a deleted post. A missing record is no error.
      for (const uri of (posts.length > 0 ? posts : [ctx.previous.remoteId]).reverse())
        await c.agent.com.atproto.repo.deleteRecord({ repo: c.did, collection: POST, rkey: rkeyOf(uri) });
    });
  }

  /** getRecord on each part's record key: all found is the result; a thread found in part is resumed. */
  findExisting(ctx: PublishContext): Promise<PublishResult | null> {
    return this.guard(ctx.account.id, async (c) => {
      const found: StrongRef[] = [];
      for (let i = 0; i < ctx.post.parts.length; i++) {
        const post = await this.get(c, this.rkey(ctx, i));
        if (!post) break;
        found.push(post);
      }
      if (found.length === 0) return null;
      if (found.length < ctx.post.parts.length) {
        await ctx.saveProgress({ posts: found });
        return null;
      }
      return this.result(c, found);
    });
  }

  check(account: ChannelAccount): Promise<AccountCheck> {
    return accountCheck(() =>
      this.guard(account.id, async (c) => {
        await c.agent.com.atproto.server.getSession();
        return { ok: true, reason: null };
      }),
    );
  }

  private rkey(ctx: PublishContext, part: number): string {
    return deliveryRecordKey(ctx.delivery.id, ctx.delivery.createdAt, part);
  }

  private async record(
    c: Connection,
    ctx: PublishContext,
    part: number,
    posted: StrongRef[],
  ): Promise<AppBskyFeedPost.Record> {
    const rich = new (atproto().RichText)({ text: ctx.post.parts[part]! });
    await rich.detectFacets(c.agent); // mentions are resolved to DIDs; unknown handles stay plain text
    const shown = withShortLinks({ text: rich.text, facets: rich.facets ?? [] });
    const length = graphemeCount(shown.text);
    if (length > POST_LIMIT) {
      throw new ChannelError({
        kind: 'permanent',
        platformCode: 'too_long',
        message: `The post is ${length} characters as Bluesky counts them (limit ${POST_LIMIT}): shorten the Bluesky text or post it as a thread.`,
      });
    }
    const record: AppBskyFeedPost.Record = {
      $type: POST,
      text: shown.text,
      createdAt: this.now().toISOString(),
      langs: [ctx.item.language],
    };
    if (shown.facets.length > 0) record.facets = shown.facets;
    if (part > 0) record.reply = { root: posted[0]!, parent: posted[part - 1]! };
    else {
      const embed = await this.embed(c, ctx);
      if (embed) record.embed = embed;
    }
    return record;
  }

  /** A link card (the image as its thumbnail) when the post has a link; else the image with its alt text. */
  private async embed(c: Connection, ctx: PublishContext): Promise<AppBskyFeedPost.Record['embed']> {
    const { link, image } = ctx.post;
    if (link) {
      const external: { uri: string; title: string; description: string; thumb?: BlobRef } = {
        uri: link,
        title: plainLine(ctx.item.title),
        description: plainLine(ctx.item.summary),
      };
      if (image) external.thumb = (await this.upload(c, image.url)).blob;
      return { $type: 'app.bsky.embed.external', external };
    }
    if (!image) return undefined;
    const { blob, width, height } = await this.upload(c, image.url);
    const aspectRatio = width && height ? { aspectRatio: { width, height } } : {};
    return { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: image.alt, ...aspectRatio }] };
  }

  private async upload(
    c: Connection,
    url: string,
  ): Promise<{ blob: BlobRef; width?: number; height?: number }> {
    const fetched = await fetchImage(url, {
      ...this.options.imageFetch,
      timeoutMs: this.timeoutMs,
      maxBytes: MAX_DOWNLOAD_BYTES,
    });
    const image = await reducedImage(fetched.bytes, fetched.type).catch((error: unknown) => {
      throw new ChannelError({
        kind: 'permanent',
        platformCode: 'image',
        message: `The item's image cannot be prepared for Bluesky (${error instanceof Error ? error.message : 'unreadable'}).`,
      });
    });
    const answer = await c.agent.com.atproto.repo.uploadBlob(new Uint8Array(image.bytes), {
      encoding: image.type,
    });
    return { blob: answer.data.blob, width: image.width, height: image.height };
  }

  /** createRecord with this part's key; when refused or lost, the record already there under the key is ours. */
  private async create(c: Connection, rkey: string, record: AppBskyFeedPost.Record): Promise<StrongRef> {
    try {
      const answer = await c.agent.com.atproto.repo.createRecord({
        repo: c.did,
        collection: POST,
        rkey,
        record,
      });
      return { uri: answer.data.uri, cid: answer.data.cid };
    } catch (error) {
      const kind = this.classifyError(error).kind;
      if (kind === 'rate_limited' || kind === 'auth') throw error;
      const existing = await this.get(c, rkey).catch(() => null);
      if (existing) return existing;
      throw error;
    }
  }

  private async get(c: Connection, rkey: string): Promise<StrongRef | null> {
    try {
      const answer = await c.agent.com.atproto.repo.getRecord({ repo: c.did, collection: POST, rkey });
      return answer.data.cid ? { uri: answer.data.uri, cid: answer.data.cid } : null;
    } catch (error) {
      if (error instanceof atproto().XRPCError && error.error === 'RecordNotFound') return null;
      throw error;
    }
  }

  private async result(c: Connection, posts: StrongRef[]): Promise<PublishResult> {
    const first = posts[0]!;
    const handle = (await c.session.current()).handle || c.did;
    return {
      remoteId: first.uri,
      remoteUrl: `https://bsky.app/profile/${handle}/post/${rkeyOf(first.uri)}`,
      details: { posts },
    };
  }

  /** Runs `fn` for an account; every failure leaves as a ChannelError whose message holds no secret. */
  private guard<T>(accountId: string, fn: (c: Connection) => Promise<T>): Promise<T> {
    let session: BlueskySession | undefined;
    return this.guarded(
      () => session?.secrets() ?? [],
      async () => {
        const known = await this.connection(accountId);
        session = known.session;
        const { did } = await session.current();
        return fn({ agent: known.agent, session, did });
      },
    );
  }

  private async connection(accountId: string): Promise<{ session: BlueskySession; agent: Agent }> {
    const settings = await configuredAccount(this.options.accounts, accountId, 'Bluesky credentials are');
    const service = settings.service ?? this.options.service ?? DEFAULT_BLUESKY_SERVICE;
    const key = `${service}\u0000${settings.credentials.identifier}\u0000${settings.credentials.appPassword}`;
    const known = this.connections.get(accountId);
    if (known?.key === key) return known;
    const session = new BlueskySession({
      accountId,
      credentials: settings.credentials,
      service,
      store: this.store,
      withLock: this.options.withLock,
      timeoutMs: this.timeoutMs,
      now: () => this.now(),
    });
    const connection = { key, session, agent: new (atproto().Agent)(session) };
    this.connections.set(accountId, connection);
    return connection;
  }
}
