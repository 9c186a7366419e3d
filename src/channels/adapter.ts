import type { Kysely } from 'kysely';
import type { Delivery } from '../domain/delivery.js';
import type { ErrorClass, ErrorClassKind, PublishResult } from '../domain/delivery-outcome.js';
import { HeraldError } from '../domain/errors.js';
import type { NewsItem } from '../domain/item.js';
import type { AccountConfig, AccountState, ChannelAccount, PlatformId } from '../domain/platform.js';
import type { Database } from '../store/schema.js';
import type { ImageFetchPolicy } from './fetch-image.js';
import type { KeyLabel } from './credentials.js';

export interface ComposedPost {
  platform: PlatformId;
  accountId: string;
  /** The whole text of the (first) post. */
  text: string;
  /** Thread parts in order; one element when the post is not a thread. */
  parts: string[];
  link: string | null;
  /** `file`: an upload's stored file (read from the media store instead of fetching `url`). */
  image: { url: string; alt: string; file?: string } | null;
  /** Length as the platform counts it (Twitter: weighted, URLs 23), of the longest part. */
  length: number;
  /** The platform's limit, null when there is no practical one. */
  limit: number | null;
  warnings: string[];
  /** A text written by hand leaves out the item's link, and nothing else carries it to followers. */
  linkMissing?: boolean;
}

export interface ComposeOptions {
  /** Text override chosen by staff for this channel (platform or account id key already resolved). */
  override?: string | undefined;
}

/** Turns an item into a post for one platform. Pure: no I/O. */
export interface Composer {
  readonly platform: PlatformId;
  compose(item: NewsItem, account: Pick<ChannelAccount, 'id'>, options?: ComposeOptions): ComposedPost;
}

export interface PublishContext {
  delivery: Delivery;
  item: NewsItem;
  account: ChannelAccount;
  post: ComposedPost;
  /** Persists channel progress at once (e.g. tweet ids of a thread), so a retry resumes instead of repeating. */
  saveProgress(progress: Record<string, unknown>): Promise<void>;
  /** What an earlier revision's delivery posted, for `update` and `delete` actions. */
  previous?: PublishResult | undefined;
  /**
   * Confirms this attempt still owns the delivery; throws ClaimLostError when another worker took it over.
   * Adapters call it immediately before each request that creates a post (after uploads and token refreshes),
   * unless the platform itself refuses a second copy. Pass the error on untouched.
   */
  beforeSend(): Promise<void>;
}

/** An error an adapter already classified. */
export class ChannelError extends HeraldError implements ErrorClass {
  readonly kind: ErrorClassKind;
  readonly retryAt?: Date | undefined;
  readonly platformCode?: string | number | undefined;
  readonly accountState?: AccountState | undefined;

  constructor(c: ErrorClass) {
    super(c.message, { code: `channel_${c.kind}`, httpStatus: 502, errorClass: c.kind });
    this.kind = c.kind;
    this.retryAt = c.retryAt;
    this.platformCode = c.platformCode;
    this.accountState = c.accountState;
  }
}

export interface AccountCheck {
  ok: boolean;
  /** Plain words: what is wrong and what to do, e.g. "the Page token expired: reconnect the Page". */
  reason: string | null;
}

/** One platform adapter. Mirrors nodemailer's transports: small, one per platform, swappable. */
export interface Channel {
  readonly platform: PlatformId;
  readonly capabilities: PlatformCapabilities;
  compose(item: NewsItem, account: ChannelAccount, options?: ComposeOptions): ComposedPost;
  /** Reads (and caches) what compose needs from the platform, e.g. a Mastodon instance's limits. */
  prepare?(account: ChannelAccount): Promise<void>;
  publish(ctx: PublishContext): Promise<PublishResult>;
  /** Edits what `ctx.previous` points at. Only when capabilities.update. */
  update?(ctx: PublishContext & { previous: PublishResult }): Promise<PublishResult>;
  /** Deletes what `ctx.previous` points at. Only when capabilities.delete. */
  remove?(ctx: PublishContext & { previous: PublishResult }): Promise<void>;
  /**
   * After an attempt whose outcome is unknown (crash, timeout after sending), looks for the post on the
   * account so it is recorded instead of posted twice. Null when it is certainly not there.
   */
  findExisting(ctx: PublishContext): Promise<PublishResult | null>;
  classifyError(error: unknown): ErrorClass;
  check?(account: ChannelAccount): Promise<AccountCheck>;
  /** When the account's token expires, when the configuration says (shown on the Channels page). */
  tokenExpiresAt?(): Date | null;
  /** The platform API version this adapter asks for (Graph `v26.0`, LinkedIn-Version `202610`), when it has one. */
  apiVersion?(): string | null;
}

/** The override staff set for this account (by account id first, then by platform). */
export function overrideFor(
  item: NewsItem,
  account: Pick<ChannelAccount, 'id' | 'platform'>,
): string | undefined {
  return item.channelTexts[account.id] ?? item.channelTexts[account.platform];
}

/**
 * The item as an account posts it: in the account's language when the item has a translation in it (title,
 * summary and language replaced; the overrides for the platform, written in the item's language, no
 * longer apply), otherwise the original. Adapters and the preview compose from this.
 */
export function itemForAccount(
  item: NewsItem,
  account: Pick<ChannelAccount, 'id' | 'platform' | 'language'>,
): NewsItem {
  const wanted = account.language?.toLowerCase();
  if (!wanted || wanted === item.language.toLowerCase()) return item;
  const key = Object.keys(item.translations).find((language) => language.toLowerCase() === wanted);
  const translation = key === undefined ? undefined : item.translations[key];
  if (!translation) return item;
  const { [account.platform]: _platformText, ...channelTexts } = item.channelTexts;
  return {
    ...item,
    title: translation.title,
    summary: translation.summary ?? '',
    language: key!,
    channelTexts,
  };
}

/**
 * Runs an account check: a refusal of the token or account is the verdict (`ok: false` with the
 * adapter's plain-words reason); a network problem says nothing about the token and is thrown.
 */
export async function accountCheck(run: () => Promise<AccountCheck>): Promise<AccountCheck> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ChannelError && (error.kind === 'auth' || error.kind === 'permanent'))
      return { ok: false, reason: error.message };
    throw error;
  }
}

/** What a platform can do with a post once it is there, and what a post may carry. */
export interface PlatformCapabilities {
  update: boolean;
  delete: boolean;
  thread: boolean;
  images: boolean;
  altText: boolean;
}

/** What every live adapter may need, built once per process (see liveChannelFactories). */
export interface AdapterDeps {
  db: Kysely<Database>;
  /** Derived from HERALD_SECRET_KEY; null when it is not set. */
  secretKey: Buffer | null;
  /** Per request; default 15 s. */
  timeoutMs?: number | undefined;
  /** Lock across processes around a token refresh (e.g. a Redis lock). */
  withLock?: (<T>(key: string, run: () => Promise<T>) => Promise<T>) | undefined;
  /** How item images are fetched: allowPrivate from config allowPrivateUrls. */
  imageFetch?: ImageFetchPolicy | undefined;
  /** Reads an uploaded picture's stored file (null when it is gone). */
  readMedia?: ((file: string) => Promise<Buffer | null>) | undefined;
}

/**
 * One row of the platform table (src/channels/platforms.ts): everything Herald knows about a platform.
 * Configuration, the preview, pages, `herald channels` and docs/social.md read it.
 */
export interface PlatformRow {
  id: PlatformId;
  /** The one name shown to people, e.g. "Twitter/X". */
  displayName: string;
  /** What one post is called there, e.g. "tweet". */
  postNoun: string;
  /** The default account's keys (`channels.<id>.<key>`, apiUrl included) and the environment variable setting each. */
  envVars: Readonly<Record<string, string>>;
  /** The API address when the account gives none. */
  defaultApiUrl: string;
  /** Every credential key an account of this platform may give. */
  credentialKeys: readonly string[];
  /** What is missing or contradictory in an account's credentials, naming keys (as `label` spells them), never values. */
  credentialProblems(
    credentials: Record<string, string>,
    label: KeyLabel,
    title: string,
    hasSecretKey: boolean,
  ): string[];
  /** The adapter's own parser: throws naming keys, never values. */
  parseCredentials(credentials: Record<string, string>): unknown;
  composer: Composer;
  /** The live adapter for one account that has credentials. */
  createAdapter(config: AccountConfig, deps: AdapterDeps): Channel;
  limits: {
    /** Characters of one post as the platform counts them; null when there is no practical limit. */
    textLength: number | null;
  };
  capabilities: PlatformCapabilities;
  /**
   * Whether a fresh install (no accounts listed) gets a dry-run account of this platform; when false, its
   * default account appears once its environment credentials are set. Default true.
   */
  dryRunByDefault?: boolean | undefined;
  /** What publishing an edit does there, when it can edit (preview); default "updates the post". */
  editNote?: string | undefined;
}
