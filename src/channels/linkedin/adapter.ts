import type { AccountCheck, Channel, PlatformCapabilities, PublishContext } from '../adapter.js';
import { ChannelError, accountCheck } from '../adapter.js';
import type { PublishResult } from '../../domain/delivery-outcome.js';
import type { ChannelAccount } from '../../domain/platform.js';
import type { AccountLookup } from '../credentials.js';
import { fetchImage, type ImageFetchPolicy } from '../fetch-image.js';
import { comparableText, postedSince, sameUrl } from '../match.js';
import { LiveChannel } from '../live-channel.js';
import { DEFAULT_LINKEDIN_API_URL, LinkedInApiError, linkedinRequest, uploadBytes, urnPath } from './api.js';
import type { LinkedInConnection } from './api.js';
import { linkedinComposer } from './compose.js';
import { linkedinSecretValues, type LinkedInCredentials } from './credentials.js';
import { classifyLinkedInError } from './errors.js';
import { escapeLittle, unescapeLittle } from './little.js';

export interface LinkedInAccountSettings {
  credentials: LinkedInCredentials;
}

export interface LinkedInChannelOptions {
  accounts: AccountLookup<LinkedInAccountSettings>;
  /** Default https://api.linkedin.com */
  apiUrl?: string | undefined;
  /** Per request; default 15 s. */
  timeoutMs?: number | undefined;
  imageFetch?: ImageFetchPolicy | undefined;
  /** The configured token expiry, shown on the Channels page. */
  tokenExpiresAt?: Date | null | undefined;
  /** The LinkedIn-Version the account asks for, checked against the end dates in `apiVersions`. */
  version?: string | undefined;
  now?: () => Date;
}

interface LinkedInPost {
  id: string;
  commentary?: string;
  createdAt?: number;
  content?: { article?: { source?: string } };
}

interface PostsPage {
  elements?: LinkedInPost[];
  paging?: { start?: number; count?: number; total?: number };
}

const POSTS_PAGE_SIZE = 50;
/** Up to 500 posts since the delivery was created: enough for a busy page while a retry waits. */
const MAX_POSTS_PAGES = 10;
/** LinkedIn's documented ceiling for images uploaded through the Images API is far above a thumbnail's needs. */
const MAX_IMAGE_BYTES = 8 * 1_048_576;

/** The public address of a post. */
export function linkedinPostUrl(urn: string): string {
  return `https://www.linkedin.com/feed/update/${urn}/`;
}

/** An article post: the item's link card carries the image; no alt text, no threads. */
export const LINKEDIN_CAPABILITIES: PlatformCapabilities = {
  update: true,
  delete: true,
  thread: false,
  images: true,
  altText: false,
};

/** LinkedIn organisation page adapter over the Posts and Images APIs with plain fetch. */
export class LinkedInChannel extends LiveChannel implements Channel {
  private readonly apiUrl: string;

  constructor(private readonly options: LinkedInChannelOptions) {
    super('linkedin', LINKEDIN_CAPABILITIES, linkedinComposer, classifyLinkedInError, options);
    this.apiUrl = options.apiUrl ?? DEFAULT_LINKEDIN_API_URL;
  }

  tokenExpiresAt(): Date | null {
    return this.options.tokenExpiresAt ?? null;
  }

  apiVersion(): string | null {
    return this.options.version ?? null;
  }

  publish(ctx: PublishContext): Promise<PublishResult> {
    return this.guard(ctx.account.id, async (li) => {
      const { post, item } = ctx;
      const author = `urn:li:organization:${li.organizationId}`;
      const thumbnail = post.image ? await this.uploadImage(li, author, post.image.url) : undefined;
      const article: Record<string, string> = { source: post.link ?? item.url, title: item.title };
      if (item.summary) article.description = item.summary.slice(0, 4000);
      if (thumbnail) article.thumbnail = thumbnail;
      await ctx.beforeSend();
      const created = await linkedinRequest<null>(li, 'POST', 'rest/posts', {
        body: {
          author,
          commentary: escapeLittle(post.text),
          visibility: 'PUBLIC',
          distribution: {
            feedDistribution: 'MAIN_FEED',
            targetEntities: [],
            thirdPartyDistributionChannels: [],
          },
          content: { article },
          lifecycleState: 'PUBLISHED',
          isReshareDisabledByAuthor: false,
        },
      });
      const urn = created.headers.get('x-restli-id');
      if (!urn) {
        throw new ChannelError({
          kind: 'transient',
          platformCode: 'no_id',
          message: 'LinkedIn accepted the post without naming it (no x-restli-id): will check and try again.',
        });
      }
      return { remoteId: urn, remoteUrl: linkedinPostUrl(urn) };
    });
  }

  /** Replaces the commentary of the post an earlier revision made (the article card stays as first posted). */
  update(ctx: PublishContext & { previous: PublishResult }): Promise<PublishResult> {
    return this.guard(ctx.account.id, async (li) => {
      await linkedinRequest<null>(li, 'POST', `rest/posts/${urnPath(ctx.previous.remoteId)}`, {
        restliMethod: 'PARTIAL_UPDATE',
        body: { patch: { $set: { commentary: escapeLittle(ctx.post.text) } } },
      });
      return { ...ctx.previous, remoteUrl: ctx.previous.remoteUrl ?? linkedinPostUrl(ctx.previous.remoteId) };
    });
  }

  remove(ctx: PublishContext & { previous: PublishResult }): Promise<void> {
    return this.guard(ctx.account.id, async (li) => {
      try {
        await linkedinRequest<null>(li, 'DELETE', `rest/posts/${urnPath(ctx.previous.remoteId)}`, {
          restliMethod: 'DELETE',
        });
      } catch (error) {
        if (!(error instanceof LinkedInApiError && (error.status === 404 || error.status === 410)))
          throw error;
      }
    });
  }

  /** Looks among the organisation's posts since the delivery was created for one with the item's link or text. */
  findExisting(ctx: PublishContext): Promise<PublishResult | null> {
    return this.guard(ctx.account.id, async (li) => {
      const since = postedSince(ctx.delivery.createdAt, this.now()).getTime();
      const text = comparableText(ctx.post.text);
      for (let page = 0; page < MAX_POSTS_PAGES; page++) {
        const { body } = await this.postsPage(li, page * POSTS_PAGE_SIZE, POSTS_PAGE_SIZE);
        const posts = body?.elements ?? [];
        const match = posts.find(
          (p) =>
            sameUrl(p.content?.article?.source, ctx.item.url) ||
            comparableText(unescapeLittle(p.commentary ?? '')) === text,
        );
        if (match) return { remoteId: match.id, remoteUrl: linkedinPostUrl(match.id) };
        const older = posts.some((p) => p.createdAt !== undefined && p.createdAt < since);
        if (older || posts.length < POSTS_PAGE_SIZE) return null;
      }
      return null;
    });
  }

  /** Checks the token, the version and read access to the organisation's posts. */
  async check(account: ChannelAccount): Promise<AccountCheck> {
    return accountCheck(() =>
      this.guard(account.id, async (li) => {
        await this.postsPage(li, 0, 1);
        return { ok: true, reason: null };
      }),
    );
  }

  /** The organisation's posts, newest first (the `author` finder). */
  private postsPage(li: LinkedInConnection & { organizationId: string }, start: number, count: number) {
    return linkedinRequest<PostsPage>(li, 'GET', 'rest/posts', {
      restliMethod: 'FINDER',
      query: {
        author: `urn:li:organization:${li.organizationId}`,
        q: 'author',
        count: String(count),
        start: String(start),
        sortBy: 'CREATED',
      },
    });
  }

  /** Images API: initializeUpload for the organisation, then PUT the bytes; returns the image URN. */
  private async uploadImage(li: LinkedInConnection, owner: string, url: string): Promise<string> {
    const { bytes, type } = await fetchImage(url, {
      ...this.options.imageFetch,
      timeoutMs: this.timeoutMs,
      maxBytes: MAX_IMAGE_BYTES,
    });
    const { body } = await linkedinRequest<{ value?: { uploadUrl?: string; image?: string } }>(
      li,
      'POST',
      'rest/images',
      { query: { action: 'initializeUpload' }, body: { initializeUploadRequest: { owner } } },
    );
    const { uploadUrl, image } = body?.value ?? {};
    if (!uploadUrl || !image) {
      throw new ChannelError({
        kind: 'transient',
        platformCode: 'image_upload',
        message: 'LinkedIn gave no upload address for the image: will try again.',
      });
    }
    await uploadBytes(li, uploadUrl, bytes, type);
    return image;
  }

  /** Runs `fn` with the account's connection; every failure leaves as a ChannelError with no secret. */
  private guard<T>(
    accountId: string,
    fn: (li: LinkedInConnection & { organizationId: string }) => Promise<T>,
  ): Promise<T> {
    return this.withAccount(
      this.options.accounts,
      accountId,
      'LinkedIn credentials are',
      (settings) => linkedinSecretValues(settings.credentials),
      ({ credentials: { organizationId, accessToken, version } }) =>
        fn({ organizationId, accessToken, version, apiUrl: this.apiUrl, timeoutMs: this.timeoutMs }),
    );
  }
}
