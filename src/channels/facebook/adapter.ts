import type { AccountCheck, Channel, PlatformCapabilities, PublishContext } from '../adapter.js';
import type { PublishResult } from '../../domain/delivery-outcome.js';
import type { ChannelAccount } from '../../domain/platform.js';
import { accountCheck } from '../adapter.js';
import { facebookComposer } from './compose.js';
import type { AccountLookup } from '../credentials.js';
import { facebookSecretValues, type FacebookPageCredentials } from './credentials.js';
import { classifyFacebookError } from './errors.js';
import { DEFAULT_GRAPH_URL, FacebookApiError, graphRequest } from './graph.js';
import type { GraphConnection } from './graph.js';
import { comparableText, postedSince, sameUrl } from '../match.js';
import { LiveChannel } from '../live-channel.js';

export interface FacebookAccountSettings {
  credentials: FacebookPageCredentials;
  /** This account's Graph base URL (with version), when it differs from the channel's. */
  graphUrl?: string | undefined;
}

export interface FacebookChannelOptions {
  accounts: AccountLookup<FacebookAccountSettings>;
  /** Base URL including the version; default https://graph.facebook.com/v26.0 */
  graphUrl?: string | undefined;
  /** Per request; default 15 s. */
  timeoutMs?: number | undefined;
  now?: () => Date;
}

interface PagePost {
  id: string;
  link?: string;
  message?: string;
  created_time?: string;
}

interface PostsPage {
  data?: PagePost[];
  paging?: { cursors?: { after?: string }; next?: string };
}

const POSTS_PAGE_SIZE = 100;
// Everything posted since the delivery was created (the API filters by `since`), up to 1,000 posts: a busy
// Page may post hundreds while a retry waits, and missing ours there would mean posting it twice.
const MAX_POSTS_PAGES = 10;

/** The public address of a Page post ("{page}_{post}" ids work as paths). */
export function facebookPostUrl(postId: string): string {
  return `https://www.facebook.com/${postId}`;
}

/** Page photos carry no alt text through the Graph API. */
export const FACEBOOK_CAPABILITIES: PlatformCapabilities = {
  update: true,
  delete: true,
  thread: false,
  images: true,
  altText: false,
};

/** Facebook Page adapter over the Graph API with plain fetch: link posts, photo posts, edit, delete. */
export class FacebookChannel extends LiveChannel implements Channel {
  private readonly graphUrl: string;

  constructor(private readonly options: FacebookChannelOptions) {
    super('facebook', FACEBOOK_CAPABILITIES, facebookComposer, classifyFacebookError, options);
    this.graphUrl = options.graphUrl ?? DEFAULT_GRAPH_URL;
  }

  /** The Graph version, from the address (e.g. https://graph.facebook.com/v26.0). */
  apiVersion(): string | null {
    return /\/(v\d+\.\d+)\/?$/.exec(this.graphUrl)?.[1] ?? null;
  }

  publish(ctx: PublishContext): Promise<PublishResult> {
    return this.guard(ctx.account.id, async (page) => {
      const { post } = ctx;
      if (post.image) {
        // A photo post: the caption carries the link (composed so), since photos cannot have a link preview.
        await ctx.beforeSend();
        const photo = await graphRequest<{ id: string; post_id?: string }>(
          page,
          'POST',
          `${page.pageId}/photos`,
          {
            url: post.image.url,
            caption: post.text,
            published: 'true',
          },
        );
        const postId = photo.post_id ?? `${page.pageId}_${photo.id}`;
        return { remoteId: postId, remoteUrl: facebookPostUrl(postId), details: { photoId: photo.id } };
      }
      const params: Record<string, string> = { message: post.text };
      if (post.link) params.link = post.link;
      await ctx.beforeSend();
      const created = await graphRequest<{ id: string }>(page, 'POST', `${page.pageId}/feed`, params);
      return { remoteId: created.id, remoteUrl: facebookPostUrl(created.id) };
    });
  }

  /** Edits the text of the post an earlier revision made. (Facebook does not let a post's link be changed.) */
  update(ctx: PublishContext & { previous: PublishResult }): Promise<PublishResult> {
    return this.guard(ctx.account.id, async (page) => {
      await graphRequest<{ success: boolean }>(page, 'POST', ctx.previous.remoteId, {
        message: ctx.post.text,
      });
      return { ...ctx.previous, remoteUrl: ctx.previous.remoteUrl ?? facebookPostUrl(ctx.previous.remoteId) };
    });
  }

  remove(ctx: PublishContext & { previous: PublishResult }): Promise<void> {
    return this.guard(ctx.account.id, async (page) => {
      try {
        await graphRequest<{ success: boolean }>(page, 'DELETE', ctx.previous.remoteId);
      } catch (error) {
        const gone =
          error instanceof FacebookApiError &&
          error.graphError?.code === 100 &&
          error.graphError.error_subcode === 33;
        if (!gone) throw error;
      }
    });
  }

  /** Looks among the Page's posts since the delivery was created for one with the item's link or the exact text. */
  findExisting(ctx: PublishContext): Promise<PublishResult | null> {
    return this.guard(ctx.account.id, async (page) => {
      const since = Math.floor(postedSince(ctx.delivery.createdAt, this.now()).getTime() / 1000);
      const text = comparableText(ctx.post.text);
      let after: string | undefined;
      for (let n = 0; n < MAX_POSTS_PAGES; n++) {
        const params: Record<string, string> = {
          fields: 'id,link,message,created_time',
          limit: String(POSTS_PAGE_SIZE),
          since: String(since),
        };
        if (after) params.after = after;
        const result = await graphRequest<PostsPage>(page, 'GET', `${page.pageId}/posts`, params);
        const match = (result.data ?? []).find(
          (p) =>
            sameUrl(p.link, ctx.item.url) ||
            (p.message ?? '').includes(ctx.item.url) ||
            comparableText(p.message ?? '') === text,
        );
        if (match) return { remoteId: match.id, remoteUrl: facebookPostUrl(match.id) };
        after = result.paging?.cursors?.after;
        if (!after || !result.paging?.next) return null;
      }
      return null;
    });
  }

  /** Checks that the token is a working token of the configured Page. */
  async check(account: ChannelAccount): Promise<AccountCheck> {
    return accountCheck(() =>
      this.guard(account.id, async (page) => {
        const me = await graphRequest<{ id: string; name?: string }>(page, 'GET', 'me', {
          fields: 'id,name',
        });
        if (me.id !== page.pageId) {
          return {
            ok: false,
            reason: `The token belongs to "${me.name ?? me.id}", not to the Page ${page.pageId}: connect the Page again with a Page token.`,
          };
        }
        await graphRequest<{ id: string }>(page, 'GET', page.pageId, { fields: 'id,name' });
        return { ok: true, reason: null };
      }),
    );
  }

  /** Runs `fn` with the account's Page connection; every failure leaves as a ChannelError with no secret. */
  private guard<T>(
    accountId: string,
    fn: (page: GraphConnection & { pageId: string }) => Promise<T>,
  ): Promise<T> {
    return this.withAccount(
      this.options.accounts,
      accountId,
      'Facebook Page credentials are',
      (settings) => facebookSecretValues(settings.credentials),
      (settings) => {
        const { pageId, pageToken, appSecret } = settings.credentials;
        const graphUrl = settings.graphUrl ?? this.graphUrl;
        return fn({ pageId, pageToken, appSecret, graphUrl, timeoutMs: this.timeoutMs });
      },
    );
  }
}
