import type { Delivery } from '../domain/delivery.js';
import type { NewsItem } from '../domain/item.js';

export const PLATFORMS = ['twitter', 'facebook'] as const;
export type Platform = (typeof PLATFORMS)[number];

export type AccountMode = 'dry-run' | 'live';
export type AccountState = 'ok' | 'needs_reconnect';

/** A social account Herald posts to (secrets are never part of this object). */
export interface ChannelAccount {
  id: string;
  platform: Platform;
  name: string;
  mode: AccountMode;
  state: AccountState;
  stateReason: string | null;
}

export interface ComposedPost {
  platform: Platform;
  accountId: string;
  /** The whole text of the (first) post. */
  text: string;
  /** Thread parts in order; one element when the post is not a thread. */
  parts: string[];
  link: string | null;
  image: { url: string; alt: string } | null;
  /** Length as the platform counts it (Twitter: weighted, URLs 23), of the longest part. */
  length: number;
  /** The platform's limit, null when there is no practical one. */
  limit: number | null;
  warnings: string[];
}

export interface ComposeOptions {
  /** Text override chosen by staff for this channel (platform or account id key already resolved). */
  override?: string | undefined;
}

/** Turns an item into a post for one platform. Pure: no I/O. */
export interface Composer {
  readonly platform: Platform;
  compose(item: NewsItem, account: Pick<ChannelAccount, 'id'>, options?: ComposeOptions): ComposedPost;
}

export interface PublishResult {
  remoteId: string;
  remoteUrl: string | null;
  /** Extra ids worth keeping (e.g. every tweet id of a thread). */
  details?: Record<string, unknown>;
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
}

export type ErrorClassKind = 'rate_limited' | 'transient' | 'permanent' | 'auth';

export interface ErrorClass {
  kind: ErrorClassKind;
  /** Plain words for staff, never containing a secret. */
  message: string;
  /** For rate limits: when the platform lets us try again. */
  retryAt?: Date | undefined;
  /** The platform's own code, for the record (e.g. Facebook 190, Twitter 187). */
  platformCode?: string | number | undefined;
}

/** An error an adapter already classified. */
export class ChannelError extends Error implements ErrorClass {
  readonly kind: ErrorClassKind;
  readonly retryAt?: Date | undefined;
  readonly platformCode?: string | number | undefined;

  constructor(c: ErrorClass) {
    super(c.message);
    this.name = 'ChannelError';
    this.kind = c.kind;
    this.retryAt = c.retryAt;
    this.platformCode = c.platformCode;
  }
}

export interface AccountCheck {
  ok: boolean;
  /** Plain words: what is wrong and what to do, e.g. "the Page token expired: reconnect the Page". */
  reason: string | null;
}

/** One platform adapter. Mirrors nodemailer's transports: small, one per platform, swappable. */
export interface Channel {
  readonly platform: Platform;
  readonly capabilities: { update: boolean; delete: boolean; thread: boolean };
  compose(item: NewsItem, account: ChannelAccount, options?: ComposeOptions): ComposedPost;
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
}

/** The override staff set for this account (by account id first, then by platform). */
export function overrideFor(item: NewsItem, account: Pick<ChannelAccount, 'id' | 'platform'>): string | undefined {
  return item.channelTexts[account.id] ?? item.channelTexts[account.platform];
}

/**
 * Runs an account check: a refusal of the token or account is the verdict (`ok: false` with the
 * adapter's plain-words reason); a network problem says nothing about the token and is thrown.
 */
export async function accountCheck(run: () => Promise<AccountCheck>): Promise<AccountCheck> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ChannelError && (error.kind === 'auth' || error.kind === 'permanent')) return { ok: false, reason: error.message };
    throw error;
  }
}
