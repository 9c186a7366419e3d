import { ChannelError } from '../adapter.js';
import { fetchImage, type ImageFetchPolicy } from '../fetch-image.js';
import { MastodonApiError, mastodonRequest, type MastodonConnection, type RateLimitHeaders } from './api.js';
import { mastodonLength, type MastodonLimits } from './compose.js';
import type { MastodonCredentials } from './credentials.js';
import { mastodonRateLimited } from './errors.js';
import { InstanceLimits, type InstanceDocument } from './instance.js';

/** The fields of a Mastodon Status that Herald reads. */
export interface MastodonStatus {
  id: string;
  url: string | null;
  content: string;
  created_at: string;
  in_reply_to_id: string | null;
}

interface MediaAttachment {
  id: string;
  url: string | null;
}

const MAX_IMAGE_BYTES = 16 * 1_048_576;
/** The most statuses one page of an account's statuses may hold. */
const STATUSES_PAGE_SIZE = 40;
/** findExisting reads at most this many pages (1,000 statuses). */
const MAX_STATUS_PAGES = 25;
const MAX_MEDIA_POLLS = 60;

/** Mastodon ids are Snowflakes: milliseconds since the epoch shifted 16 bits. The smallest id at an instant. */
export function snowflakeAt(at: Date): string {
  return (BigInt(Math.max(0, at.getTime())) << 16n).toString();
}

/** One account on one instance: its calls, the instance's limits and the last rate-limit headers seen. */
export class MastodonSession {
  private readonly instance: InstanceLimits;
  private accountId: string | undefined;
  /** Per bucket: media uploads have their own limit (30 per 30 min), everything else shares 300 per 5 min. */
  private readonly rateLimits = new Map<'media' | 'api', RateLimitHeaders>();

  constructor(
    private readonly connection: MastodonConnection,
    private readonly credentials: MastodonCredentials,
    private readonly options: {
      imageFetch: ImageFetchPolicy | undefined;
      mediaPollMs: number;
      now: () => Date;
    },
  ) {
    this.instance = new InstanceLimits(
      () => this.call<InstanceDocument | null>('GET', '/api/v2/instance'),
      options.now,
    );
  }

  get token(): string {
    return this.connection.accessToken;
  }

  /** The instance's status limits (GET /api/v2/instance), read once an hour; Mastodon's defaults when absent. */
  limits(): Promise<MastodonLimits> {
    return this.instance.get();
  }

  /** The limits last read, without waiting; undefined before the first read. */
  knownLimits(): MastodonLimits | undefined {
    return this.instance.known();
  }

  /** Refuses parts longer than this instance allows, before anything is posted. */
  async checkLength(parts: string[]): Promise<void> {
    const { maxCharacters, urlLength } = await this.limits();
    const longest = Math.max(...parts.map((p) => mastodonLength(p, urlLength)));
    if (longest > maxCharacters) {
      throw new ChannelError({
        kind: 'permanent',
        platformCode: 422,
        message: `The status is ${longest} characters as Mastodon counts them (this instance allows ${maxCharacters}): shorten the Mastodon text or post it as a thread.`,
      });
    }
  }

  /** The account's id (verify_credentials), read once unless `fresh`. */
  async me(fresh = false): Promise<string> {
    if (!this.accountId || fresh)
      this.accountId = (await this.call<{ id: string }>('GET', '/api/v1/accounts/verify_credentials')).id;
    return this.accountId;
  }

  post(
    fields: { status: string; language: string; media_ids?: string[]; in_reply_to_id?: string },
    idempotencyKey: string,
  ): Promise<MastodonStatus> {
    const { visibility, spoilerText } = this.credentials;
    const json = { ...fields, visibility, ...(spoilerText ? { spoiler_text: spoilerText } : {}) };
    return this.call('POST', '/api/v1/statuses', { json, idempotencyKey });
  }

  edit(id: string, fields: { status: string; language: string }): Promise<MastodonStatus> {
    const { spoilerText } = this.credentials;
    const json = { ...fields, ...(spoilerText ? { spoiler_text: spoilerText } : {}) };
    return this.call('PUT', `/api/v1/statuses/${encodeURIComponent(id)}`, { json });
  }

  async remove(id: string): Promise<void> {
    await this.call('DELETE', `/api/v1/statuses/${encodeURIComponent(id)}`);
  }

  status(id: string): Promise<MastodonStatus> {
    return this.call('GET', `/api/v1/statuses/${encodeURIComponent(id)}`);
  }

  /** The account's own statuses (replies included, boosts not) posted since `since`, newest first. */
  async statusesSince(since: Date): Promise<MastodonStatus[]> {
    const id = await this.me();
    const all: MastodonStatus[] = [];
    let maxId: string | undefined;
    for (let n = 0; n < MAX_STATUS_PAGES; n++) {
      const query: Record<string, string> = {
        limit: String(STATUSES_PAGE_SIZE),
        exclude_reblogs: 'true',
        since_id: snowflakeAt(since),
      };
      if (maxId) query.max_id = maxId;
      const page = await this.call<MastodonStatus[]>(
        'GET',
        `/api/v1/accounts/${encodeURIComponent(id)}/statuses`,
        {
          query,
        },
      );
      all.push(...page);
      if (page.length < STATUSES_PAGE_SIZE) break;
      maxId = page.at(-1)!.id;
    }
    return all;
  }

  /** Uploads the item image with its description; waits while the instance processes it (202). */
  async uploadImage(image: { url: string; alt: string }): Promise<string> {
    const { bytes, type } = await fetchImage(image.url, {
      ...this.options.imageFetch,
      timeoutMs: this.connection.timeoutMs,
      maxBytes: MAX_IMAGE_BYTES,
    });
    const form = new FormData();
    form.set('file', new Blob([bytes], { type }), `image.${type.split('/')[1] ?? 'bin'}`);
    if (image.alt) form.set('description', image.alt.slice(0, 1500));
    const answer = await this.request<MediaAttachment>('POST', '/api/v2/media', { form });
    let media = answer.body;
    for (let n = 0; answer.status === 202 && media.url === null; n++) {
      if (n >= MAX_MEDIA_POLLS)
        throw new ChannelError({
          kind: 'transient',
          platformCode: 'media_processing',
          message: 'The Mastodon instance is still processing the image: will try again.',
        });
      await new Promise((r) => setTimeout(r, this.options.mediaPollMs));
      media = await this.call<MediaAttachment>('GET', `/api/v1/media/${encodeURIComponent(media.id)}`);
    }
    return media.id;
  }

  private async call<T>(...args: Parameters<MastodonSession['request']>): Promise<T> {
    return (await this.request<T>(...args)).body;
  }

  /** One call; an exhausted budget (X-RateLimit-Remaining 0 until Reset) waits without sending. */
  private async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    request?: Parameters<typeof mastodonRequest>[3],
  ) {
    const now = this.options.now();
    const bucket = method === 'POST' && path === '/api/v2/media' ? 'media' : 'api';
    const { remaining, reset } = this.rateLimits.get(bucket) ?? {};
    if (remaining === 0 && reset && reset > now) throw new ChannelError(mastodonRateLimited(reset, now, 429));
    try {
      const answer = await mastodonRequest<T>(this.connection, method, path, request);
      this.rateLimits.set(bucket, answer.rateLimit);
      return answer;
    } catch (error) {
      if (error instanceof MastodonApiError) this.rateLimits.set(bucket, error.rateLimit);
      throw error;
    }
  }
}
