import { z } from 'zod';
import type { AccountCheck, Channel, PlatformCapabilities, PublishContext } from '../adapter.js';
import type { PublishResult } from '../../domain/delivery-outcome.js';
import type { ChannelAccount } from '../../domain/platform.js';
import type { NewsItem } from '../../domain/item.js';
import { accountCheck, overrideFor, type ComposeOptions, type ComposedPost } from '../adapter.js';
import type { AccountLookup } from '../credentials.js';
import { setValues } from '../credentials.js';
import type { ImageFetchPolicy } from '../fetch-image.js';
import { comparableText, postedSince, sameUrl } from '../match.js';
import { configuredAccount } from '../guard.js';
import { LiveChannel } from '../live-channel.js';
import { perAccount } from '../account-cache.js';
import { deleteThread, findThreadParts } from '../thread.js';
import { DEFAULT_MASTODON_URL, MastodonApiError } from './api.js';
import { composeMastodon, mastodonComposer } from './compose.js';
import type { MastodonCredentials } from './credentials.js';
import { classifyMastodonError } from './errors.js';
import { MastodonSession, type MastodonStatus } from './session.js';

export interface MastodonAccountSettings {
  credentials: MastodonCredentials;
  /** This account's instance, when it differs from the channel's. */
  instanceUrl?: string | undefined;
}

export interface MastodonChannelOptions {
  accounts: AccountLookup<MastodonAccountSettings>;
  /** The instance; default https://mastodon.social */
  instanceUrl?: string | undefined;
  /** Per request; default 15 s. */
  timeoutMs?: number | undefined;
  imageFetch?: ImageFetchPolicy | undefined;
  /** How long to wait between polls of an image still processing; default 1 s. */
  mediaPollMs?: number | undefined;
  now?: () => Date;
}

const progressSchema = z
  .object({ statusIds: z.array(z.string()).optional(), url: z.string().nullable().optional() })
  .loose();

/** Status ids already posted by earlier attempts of this delivery. */
export function postedStatusIds(progress: Record<string, unknown>): string[] {
  const parsed = progressSchema.safeParse(progress);
  return parsed.success ? (parsed.data.statusIds ?? []) : [];
}

/** The public address of the first status, when an earlier attempt saved it. */
function savedUrl(progress: Record<string, unknown>): string | null {
  const parsed = progressSchema.safeParse(progress);
  return parsed.success ? (parsed.data.url ?? null) : null;
}

/**
 * The status's HTML content as plain text, to compare with what was sent: paragraphs and line breaks
 * back as newlines, tags dropped, entities decoded.
 */
export function statusText(content: string): string {
  const text = content
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p>/gi, '\n\n')
    .replace(/<span class="invisible">[^<]*<\/span>/gi, '')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  return comparableText(text);
}

function linksTo(status: MastodonStatus, url: string): boolean {
  return [...status.content.matchAll(/href="([^"]+)"/g)].some((m) =>
    sameUrl(m[1]!.replace(/&amp;/g, '&'), url),
  );
}

export const MASTODON_CAPABILITIES: PlatformCapabilities = {
  update: true,
  delete: true,
  thread: true,
  images: true,
  altText: true,
};

/**
 * Mastodon adapter over the REST API with plain fetch: statuses with an Idempotency-Key per delivery and part,
 * resumable threads, images with descriptions, edits and deletes. Works with any instance.
 */
export class MastodonChannel extends LiveChannel implements Channel {
  private readonly session = perAccount((accountId) => this.createSession(accountId));
  /** The same sessions once created, for what compose reads without waiting. */
  private readonly created = new Map<string, MastodonSession>();

  constructor(private readonly options: MastodonChannelOptions) {
    super('mastodon', MASTODON_CAPABILITIES, mastodonComposer, classifyMastodonError, options);
  }

  /** Composes for the account's instance: its limits once `prepare` read them, Mastodon's defaults before. */
  override compose(item: NewsItem, account: ChannelAccount, options?: ComposeOptions): ComposedPost {
    const override = options?.override ?? overrideFor(item, { id: account.id, platform: 'mastodon' });
    return composeMastodon(item, account.id, override, this.created.get(account.id)?.knownLimits());
  }

  /** Reads the instance's limits (GET /api/v2/instance, kept an hour) so that compose counts as the instance does. */
  async prepare(account: ChannelAccount): Promise<void> {
    await this.guard(account.id, (session) => session.limits());
  }

  publish(ctx: PublishContext): Promise<PublishResult> {
    return this.guard(ctx.account.id, async (session) => {
      const parts = ctx.post.parts;
      await session.checkLength(parts);
      const ids = postedStatusIds(ctx.delivery.progress).slice(0, parts.length);
      let url = savedUrl(ctx.delivery.progress);
      const mediaIds = ctx.post.image && ids.length === 0 ? [await session.uploadImage(ctx.post.image)] : [];
      for (let i = ids.length; i < parts.length; i++) {
        // The Idempotency-Key covers an hour; the fence also covers a worker paused for longer.
        await ctx.beforeSend();
        const status = await session.post(
          {
            status: parts[i]!,
            language: ctx.item.language,
            ...(i === 0 && mediaIds.length > 0 ? { media_ids: mediaIds } : {}),
            ...(i > 0 ? { in_reply_to_id: ids[i - 1]! } : {}),
          },
          // Stable across retries and processes: the instance answers the first status for an hour.
          `herald-${ctx.delivery.id}-${i}`,
        );
        ids.push(status.id);
        if (i === 0) url = status.url;
        // The last part's id goes back in the result, written with the completion in one statement (a crash in
        // between is an unknown outcome: the Idempotency-Key and findExisting cover it).
        if (i < parts.length - 1) await ctx.saveProgress({ statusIds: [...ids], url });
      }
      return this.result(session, ids, url);
    });
  }

  /** Edits the first status of what an earlier revision posted (the text; media stay). */
  update(ctx: PublishContext & { previous: PublishResult }): Promise<PublishResult> {
    return this.guard(ctx.account.id, async (session) => {
      await session.checkLength([ctx.post.text]);
      const status = await session.edit(ctx.previous.remoteId, {
        status: ctx.post.text,
        language: ctx.item.language,
      });
      return { ...ctx.previous, remoteUrl: status.url ?? ctx.previous.remoteUrl };
    });
  }

  remove(ctx: PublishContext & { previous: PublishResult }): Promise<void> {
    return this.guard(ctx.account.id, async (session) => {
      await deleteThread(
        postedStatusIds(ctx.previous.details ?? {}),
        ctx.previous.remoteId,
        (id) => session.remove(id),
        (error) => error instanceof MastodonApiError && error.status === 404,
      );
    });
  }

  /**
   * Looks among the account's statuses since the delivery was created for this delivery's post (by link or
   * exact text, then each thread part by text and reply). A thread found in part is saved as progress and
   * null returned, so that publish continues it.
   */
  findExisting(ctx: PublishContext): Promise<PublishResult | null> {
    return this.guard(ctx.account.id, async (session) => {
      const parts = ctx.post.parts;
      let found = postedStatusIds(ctx.delivery.progress).slice(0, parts.length);
      let url = savedUrl(ctx.delivery.progress);
      if (found.length < parts.length) {
        const statuses = await session.statusesSince(postedSince(ctx.delivery.createdAt, this.now()));
        const thread = findThreadParts(parts, found, statuses, (s, i, previousId) => {
          const sameText = statusText(s.content) === comparableText(parts[i]!);
          if (i > 0) return s.in_reply_to_id === previousId && sameText;
          return !s.in_reply_to_id && (sameText || linksTo(s, ctx.item.url));
        });
        found = thread.ids;
        url = thread.first?.url ?? url;
      }
      if (found.length === 0) return null;
      if (found.length < parts.length) {
        await ctx.saveProgress({ statusIds: found, url });
        return null;
      }
      return this.result(session, found, url);
    });
  }

  /** Checks the token (verify_credentials) and reads the instance's limits. */
  async check(account: ChannelAccount): Promise<AccountCheck> {
    return accountCheck(async () => {
      await this.guard(account.id, async (session) => {
        await session.me(true);
        await session.limits();
      });
      return { ok: true, reason: null };
    });
  }

  private async result(session: MastodonSession, ids: string[], url: string | null): Promise<PublishResult> {
    const remoteUrl = url ?? (await session.status(ids[0]!)).url;
    return { remoteId: ids[0]!, remoteUrl, details: { statusIds: ids } };
  }

  /** Runs `fn` for an account; every failure leaves as a ChannelError whose message holds no secret. */
  private guard<T>(accountId: string, fn: (session: MastodonSession) => Promise<T>): Promise<T> {
    let secrets: string[] = [];
    return this.guarded(
      () => secrets,
      async () => {
        const session = await this.session(accountId);
        secrets = setValues(session.token);
        return fn(session);
      },
    );
  }

  private async createSession(accountId: string): Promise<MastodonSession> {
    const settings = await configuredAccount(this.options.accounts, accountId, 'Mastodon access token is');
    const session = new MastodonSession(
      {
        instanceUrl: settings.instanceUrl ?? this.options.instanceUrl ?? DEFAULT_MASTODON_URL,
        accessToken: settings.credentials.accessToken,
        timeoutMs: this.timeoutMs,
      },
      settings.credentials,
      { imageFetch: this.options.imageFetch, mediaPollMs: this.options.mediaPollMs ?? 1_000, now: this.now },
    );
    this.created.set(accountId, session);
    return session;
  }
}
