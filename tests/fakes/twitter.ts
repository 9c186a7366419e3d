// A fake Twitter/X API v2 on 127.0.0.1 for tests: the endpoints Herald uses, with the real response and error
// shapes and x-rate-limit-* headers, failure injection and a record of every tweet accepted.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twitterText from 'twitter-text';

export interface FakeTwitterAccount {
  id: string;
  username: string;
  /** OAuth 1.0a access token, or the first OAuth 2 access token. */
  accessToken: string;
  /** First OAuth 2 refresh token; rotated at every refresh. */
  refreshToken: string;
}

export interface FakeTweet {
  id: string;
  accountId: string;
  username: string;
  text: string;
  replyTo: string | null;
  mediaIds: string[];
  createdAt: string;
  deleted: boolean;
}

export interface FakeMedia {
  id: string;
  type: string;
  totalBytes: number;
  bytes: Buffer;
  alt: string | null;
  finalized: boolean;
}

export type TwitterFailure =
  /** 429 with x-rate-limit-reset = resetAt (epoch seconds; default now + 15 min); `daily` exhausts the 24-hour user limit. */
  | { kind: 'rate_limited'; resetAt?: number; daily?: boolean }
  | { kind: 'server_error'; status?: number }
  /** 401: the token expired or was revoked. */
  | { kind: 'unauthorized' }
  | { kind: 'duplicate' }
  | { kind: 'too_long' }
  /** 403: the app lacks write permission. */
  | { kind: 'forbidden' }
  /** 402: pay-per-use credits ran out (what every create answers while `creditsLeft` is false). */
  | { kind: 'credits_depleted' }
  /** 403 on a reply: the conversation's reply settings do not let this account reply. */
  | { kind: 'reply_not_allowed' }
  /** Handles the request (a tweet is recorded) and answers after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** Handles the request (a tweet is recorded), then closes the connection without answering. */
  | { kind: 'drop_after_accept' }
  /** Closes the connection without handling the request. */
  | { kind: 'drop' };

export interface InjectOptions {
  /** Only requests whose "METHOD /path" contains this, e.g. "POST /2/tweets"; default every request. */
  route?: string;
  /** Fail the nth matching request from now (1 = the next one). */
  nth?: number;
  /** How many consecutive matching requests fail, from the nth. Default 1. */
  times?: number;
}

export interface FakeTwitter {
  url: string;
  /** Every tweet accepted, in order (deleted ones stay, marked). */
  posts: FakeTweet[];
  media: Map<string, FakeMedia>;
  /** "METHOD /path" of every request received. */
  requests: string[];
  /** Tweets refused by the posting limit (`postLimit`), with when the request arrived. */
  refusedPosts: Array<{ accountId: string; at: number }>;
  accounts: FakeTwitterAccount[];
  /** OAuth 2 refreshes performed. */
  refreshes: number;
  /** Pay-per-use credits: while false, every POST /2/tweets answers 402 (default true). */
  creditsLeft: boolean;
  /** Posts returned by timeline reads (X charges each one read). */
  postsRead: number;
  /** The max_results of every timeline read, in order. */
  timelinePageSizes: number[];
  /** The refresh token currently valid for an account. */
  refreshTokenOf(accountId: string): string | undefined;
  /** A picture served by the fake, and a URL that answers 404. */
  imageUrl: string;
  missingImageUrl: string;
  inject(failure: TwitterFailure, options?: InjectOptions): void;
  /** Makes every OAuth 2 access token expired (401 until refreshed). */
  expireAccessTokens(): void;
  /** Revokes every token and refresh token of an account (401 everywhere, refresh refused). */
  revoke(accountId?: string): void;
  /** Adds a tweet as if posted elsewhere (e.g. by hand). */
  seed(tweet: { text: string; accountId?: string; createdAt?: string }): FakeTweet;
  reset(): void;
  close(): Promise<void>;
}

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

export const DEFAULT_TWITTER_ACCOUNT: FakeTwitterAccount = {
  id: '2244994945',
  username: 'herald_test',
  accessToken: 'fake-twitter-access-token-0001',
  refreshToken: 'fake-twitter-refresh-token-0001',
};

interface Token {
  accountId: string;
  expiresAt: number | null;
}

interface Pending {
  failure: TwitterFailure;
  route: string | undefined;
  skip: number;
  times: number;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const problem = (status: number, title: string, detail: string, type = 'about:blank'): Reply => ({
  status,
  body: { title, detail, type, status },
});

/**
 * A per-account limit on creating tweets, as the platform enforces it: at most `posts` in each window of
 * `windowMs` (windows follow one another from the epoch, like Twitter's 15-minute windows); beyond it, a 429
 * whose x-rate-limit-reset is the window's end. `windowMs` is whole seconds, as that header is.
 */
export interface PostLimit {
  posts: number;
  windowMs: number;
}

export async function startFakeTwitter(
  options: { accounts?: FakeTwitterAccount[]; postLimit?: PostLimit } = {},
): Promise<FakeTwitter> {
  const accounts = options.accounts ?? [DEFAULT_TWITTER_ACCOUNT];
  const { postLimit } = options;
  if (postLimit && postLimit.windowMs % 1000 !== 0)
    throw new Error('postLimit.windowMs must be whole seconds');
  let nextId = 1890000000000000000n;
  let tokens = new Map<string, Token>();
  let refreshTokens = new Map<string, string>();
  let pending: Pending[] = [];
  const routeCounts = new Map<string, number>();

  const fake: FakeTwitter = {
    url: '',
    posts: [],
    media: new Map(),
    requests: [],
    refusedPosts: [],
    accounts,
    refreshes: 0,
    creditsLeft: true,
    postsRead: 0,
    timelinePageSizes: [],
    imageUrl: '',
    missingImageUrl: '',
    refreshTokenOf: (accountId) => [...refreshTokens].find(([, a]) => a === accountId)?.[0],
    inject(failure, { route, nth = 1, times = 1 } = {}) {
      pending.push({ failure, route, skip: nth - 1, times });
    },
    expireAccessTokens() {
      for (const token of tokens.values()) if (token.expiresAt !== null) token.expiresAt = Date.now() - 1;
    },
    revoke(accountId) {
      for (const [key, token] of tokens) if (!accountId || token.accountId === accountId) tokens.delete(key);
      for (const [key, owner] of refreshTokens)
        if (!accountId || owner === accountId) refreshTokens.delete(key);
    },
    seed({ text, accountId = accounts[0]!.id, createdAt = new Date().toISOString() }) {
      return addTweet(accountId, text, null, [], createdAt);
    },
    reset() {
      pending = [];
      fake.posts.length = 0;
      fake.media.clear();
      fake.requests.length = 0;
      fake.refusedPosts.length = 0;
      fake.refreshes = 0;
      fake.creditsLeft = true;
      fake.postsRead = 0;
      fake.timelinePageSizes.length = 0;
      routeCounts.clear();
      initTokens();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  function initTokens(): void {
    tokens = new Map(
      accounts.map((a) => [a.accessToken, { accountId: a.id, expiresAt: Date.now() + 7_200_000 }]),
    );
    refreshTokens = new Map(accounts.map((a) => [a.refreshToken, a.id]));
  }
  initTokens();

  function newId(): string {
    nextId += 1n + BigInt(Math.floor(Math.random() * 1000));
    return nextId.toString();
  }

  function addTweet(
    accountId: string,
    text: string,
    replyTo: string | null,
    mediaIds: string[],
    createdAt = new Date().toISOString(),
  ): FakeTweet {
    const username = accounts.find((a) => a.id === accountId)!.username;
    const tweet: FakeTweet = {
      id: newId(),
      accountId,
      username,
      text,
      replyTo,
      mediaIds,
      createdAt,
      deleted: false,
    };
    fake.posts.push(tweet);
    return tweet;
  }

  /** The tweet as the API returns it: links as t.co with entities, media link appended, &<> escaped. */
  function apiTweet(tweet: FakeTweet, fields: string[]): Record<string, unknown> {
    let text = tweet.text;
    const urls: Array<Record<string, unknown>> = [];
    for (const { url } of twitterText.extractUrlsWithIndices(tweet.text)) {
      const short = `https://t.co/${Buffer.from(url).toString('base64url').slice(-10)}`;
      text = text.replace(url, short);
      const expanded = /^https?:\/\//i.test(url) ? url : `http://${url}`;
      urls.push({
        start: 0,
        end: 0,
        url: short,
        expanded_url: expanded,
        display_url: url.replace(/^https?:\/\//, ''),
      });
    }
    for (const mediaId of tweet.mediaIds) {
      const short = `https://t.co/m${mediaId.slice(-9)}`;
      text += ` ${short}`;
      urls.push({
        start: 0,
        end: 0,
        url: short,
        expanded_url: `https://x.com/${tweet.username}/status/${tweet.id}/photo/1`,
        display_url: 'pic.x.com/x',
        media_key: `3_${mediaId}`,
      });
    }
    const result: Record<string, unknown> = {
      id: tweet.id,
      text: text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
      edit_history_tweet_ids: [tweet.id],
    };
    if (fields.includes('created_at')) result.created_at = tweet.createdAt;
    if (fields.includes('entities') && urls.length > 0) result.entities = { urls };
    if (fields.includes('referenced_tweets') && tweet.replyTo)
      result.referenced_tweets = [{ type: 'replied_to', id: tweet.replyTo }];
    return result;
  }

  function authenticate(req: http.IncomingMessage): string | null {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : /oauth_token="([^"]*)"/.exec(header)?.[1];
    const found = token ? tokens.get(decodeURIComponent(token)) : undefined;
    if (!found || (found.expiresAt !== null && found.expiresAt < Date.now())) return null;
    return found.accountId;
  }

  function refresh(params: Record<string, string>): Reply {
    const accountId = refreshTokens.get(params.refresh_token ?? '');
    if (params.grant_type !== 'refresh_token' || !accountId) {
      return {
        status: 400,
        body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' },
      };
    }
    fake.refreshes++;
    refreshTokens.delete(params.refresh_token!);
    for (const [key, token] of tokens) if (token.accountId === accountId) tokens.delete(key);
    const accessToken = `fake-access-${newId()}`;
    const refreshToken = `fake-refresh-${newId()}`;
    tokens.set(accessToken, { accountId, expiresAt: Date.now() + 7_200_000 });
    refreshTokens.set(refreshToken, accountId);
    return {
      status: 200,
      body: {
        token_type: 'bearer',
        expires_in: 7200,
        access_token: accessToken,
        scope: 'tweet.read tweet.write users.read offline.access media.write',
        refresh_token: refreshToken,
      },
    };
  }

  function createTweet(accountId: string, body: Record<string, unknown>): Reply {
    const text = typeof body.text === 'string' ? body.text : '';
    const replyTo =
      (body.reply as { in_reply_to_tweet_id?: string } | undefined)?.in_reply_to_tweet_id ?? null;
    const mediaIds = (body.media as { media_ids?: string[] } | undefined)?.media_ids ?? [];
    if (twitterText.parseTweet(text).weightedLength > 280) return failureReply({ kind: 'too_long' });
    const live = fake.posts.filter((t) => !t.deleted && t.accountId === accountId);
    if (live.some((t) => t.text === text)) return failureReply({ kind: 'duplicate' });
    if (replyTo && !live.some((t) => t.id === replyTo)) {
      return problem(
        403,
        'Forbidden',
        'You attempted to reply to a Tweet that is deleted or not visible to you.',
      );
    }
    if (mediaIds.some((id) => !fake.media.get(id)?.finalized)) {
      return {
        status: 400,
        body: {
          errors: [{ parameters: { 'media.media_ids': mediaIds }, message: 'Your media IDs are invalid.' }],
          title: 'Invalid Request',
          detail: 'One or more parameters to your request was invalid.',
          type: 'https://api.twitter.com/2/problems/invalid-request',
        },
      };
    }
    const tweet = addTweet(accountId, text, replyTo, mediaIds);
    return {
      status: 201,
      body: { data: { id: tweet.id, text: apiTweet(tweet, []).text, edit_history_tweet_ids: [tweet.id] } },
    };
  }

  /** The 429 for a tweet over the posting limit, or null when the window has room. */
  function overPostLimit(accountId: string): Reply | null {
    if (!postLimit) return null;
    const now = Date.now();
    const windowStart = now - (now % postLimit.windowMs);
    const used = fake.posts.filter(
      (t) => t.accountId === accountId && Date.parse(t.createdAt) >= windowStart,
    ).length;
    if (used < postLimit.posts) return null;
    fake.refusedPosts.push({ accountId, at: now });
    return failureReply({ kind: 'rate_limited', resetAt: (windowStart + postLimit.windowMs) / 1000 });
  }

  function timeline(accountId: string, query: URLSearchParams): Reply {
    const max = Math.min(100, Number(query.get('max_results') ?? 10));
    fake.timelinePageSizes.push(max);
    const since = query.get('start_time') ? Date.parse(query.get('start_time')!) : 0;
    const fields = (query.get('tweet.fields') ?? '').split(',');
    const all = fake.posts
      .filter((t) => t.accountId === accountId && !t.deleted && Date.parse(t.createdAt) >= since)
      .reverse();
    const offset = Number(query.get('pagination_token') ?? 0);
    const page = all.slice(offset, offset + max);
    fake.postsRead += page.length;
    const meta: Record<string, unknown> = { result_count: page.length };
    if (page.length > 0) Object.assign(meta, { newest_id: page[0]!.id, oldest_id: page.at(-1)!.id });
    if (offset + max < all.length) meta.next_token = String(offset + max);
    return {
      status: 200,
      body: page.length > 0 ? { data: page.map((t) => apiTweet(t, fields)), meta } : { meta },
    };
  }

  function media(path: string, body: Record<string, unknown>, raw: Buffer, contentType: string): Reply {
    if (path === '/2/media/upload/initialize') {
      const id = newId();
      fake.media.set(id, {
        id,
        type: String(body.media_type),
        totalBytes: Number(body.total_bytes),
        bytes: Buffer.alloc(0),
        alt: null,
        finalized: false,
      });
      return { status: 200, body: { data: { id, media_key: `3_${id}`, expires_after_secs: 86400 } } };
    }
    if (path === '/2/media/metadata') {
      const item = fake.media.get(String(body.id));
      if (!item) return problem(400, 'Invalid Request', 'media id not found');
      item.alt = (body.metadata as { alt_text?: { text?: string } } | undefined)?.alt_text?.text ?? null;
      return {
        status: 200,
        body: { data: { id: item.id, associated_metadata: { alt_text: { text: item.alt } } } },
      };
    }
    const [, , , , id, command] = path.split('/');
    const item = fake.media.get(id ?? '');
    if (!item) return problem(400, 'Invalid Request', 'media id not found');
    if (command === 'append') {
      item.bytes = Buffer.concat([item.bytes, multipartField(raw, contentType, 'media')]);
      return { status: 200, body: { data: { expires_at: Math.floor(Date.now() / 1000) + 86400 } } };
    }
    if (item.bytes.length !== item.totalBytes) return problem(400, 'Invalid Request', 'File size mismatch.');
    item.finalized = true;
    return {
      status: 200,
      body: { data: { id, media_key: `3_${id}`, size: item.totalBytes, expires_after_secs: 86400 } },
    };
  }

  function handle(
    method: string,
    path: string,
    query: URLSearchParams,
    raw: Buffer,
    req: http.IncomingMessage,
  ): Reply {
    if (method === 'GET' && path === '/__fixtures/image.png')
      return { status: 200, body: PNG, headers: { 'content-type': 'image/png' } };
    if (method === 'GET' && path.startsWith('/__fixtures/'))
      return { status: 404, body: 'not found', headers: { 'content-type': 'text/plain' } };
    const contentType = req.headers['content-type'] ?? '';
    const body = parseBody(raw, contentType);
    if (method === 'POST' && path === '/2/oauth2/token') {
      // Like the real endpoint (RFC 6749): form-encoded only.
      if (!contentType.startsWith('application/x-www-form-urlencoded')) {
        return {
          status: 400,
          body: { error: 'invalid_request', error_description: 'Missing required parameter [grant_type].' },
        };
      }
      return refresh(body as Record<string, string>);
    }
    const accountId = authenticate(req);
    if (!accountId) return failureReply({ kind: 'unauthorized' });
    const account = accounts.find((a) => a.id === accountId)!;
    if (method === 'GET' && path === '/2/users/me')
      return {
        status: 200,
        body: { data: { id: account.id, name: 'Herald Test', username: account.username } },
      };
    if (method === 'POST' && path === '/2/tweets') {
      if (!fake.creditsLeft) return failureReply({ kind: 'credits_depleted' });
      return overPostLimit(accountId) ?? createTweet(accountId, body);
    }
    if (method === 'GET' && path === `/2/users/${accountId}/tweets`) return timeline(accountId, query);
    if (method === 'DELETE' && path.startsWith('/2/tweets/')) {
      const tweet = fake.posts.find(
        (t) => t.id === path.slice('/2/tweets/'.length) && t.accountId === accountId && !t.deleted,
      );
      if (tweet) tweet.deleted = true;
      return { status: 200, body: { data: { deleted: !!tweet } } };
    }
    if (method === 'POST' && path.startsWith('/2/media/')) return media(path, body, raw, contentType);
    return problem(404, 'Not Found Error', `No route for ${method} ${path} in the fake.`);
  }

  function failureReply(failure: TwitterFailure): Reply {
    switch (failure.kind) {
      case 'rate_limited': {
        const reset = String(failure.resetAt ?? Math.floor(Date.now() / 1000) + 900);
        const headers: Record<string, string> = {
          'x-rate-limit-limit': '200',
          'x-rate-limit-remaining': failure.daily ? '150' : '0',
          'x-rate-limit-reset': reset,
        };
        if (failure.daily)
          Object.assign(headers, {
            'x-user-limit-24hour-limit': '100',
            'x-user-limit-24hour-remaining': '0',
            'x-user-limit-24hour-reset': reset,
          });
        return { ...problem(429, 'Too Many Requests', 'Too Many Requests'), headers };
      }
      case 'server_error':
        return problem(failure.status ?? 503, 'Service Unavailable', 'Service Unavailable');
      case 'unauthorized':
        return problem(401, 'Unauthorized', 'Unauthorized');
      case 'duplicate':
        return problem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
      case 'too_long':
        return problem(
          403,
          'Forbidden',
          'Your Tweet text is too long. For more information on how X determines text length see https://github.com/twitter/twitter-text.',
        );
      case 'forbidden':
        return problem(
          403,
          'Forbidden',
          'Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.',
          'https://api.twitter.com/2/problems/oauth1-permissions',
        );
      case 'credits_depleted':
        return problem(
          402,
          'CreditsDepleted',
          'Your enrolled account does not have any credits to fulfill this request.',
          'https://api.twitter.com/2/problems/credits',
        );
      case 'reply_not_allowed':
        return problem(
          403,
          'Forbidden',
          'Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.',
        );
      default:
        return problem(500, 'Internal Server Error', 'unexpected failure kind');
    }
  }

  /** The injected failure for this request, if any. */
  function takeFailure(method: string, path: string): TwitterFailure | null {
    for (const p of pending) {
      if (p.route && !`${method} ${path}`.includes(p.route)) continue;
      if (p.skip > 0) {
        p.skip--;
        continue;
      }
      if (--p.times <= 0) pending = pending.filter((q) => q !== p);
      return p.failure;
    }
    return null;
  }

  function send(res: http.ServerResponse, path: string, reply: Reply): void {
    const count = (routeCounts.get(path) ?? 0) + 1;
    routeCounts.set(path, count);
    const isBuffer = Buffer.isBuffer(reply.body);
    const headers: Record<string, string> = {
      'content-type':
        isBuffer || typeof reply.body === 'string'
          ? 'application/octet-stream'
          : 'application/json; charset=utf-8',
      ...(path.startsWith('/2/')
        ? {
            'x-rate-limit-limit': '200',
            'x-rate-limit-remaining': String(Math.max(0, 200 - count)),
            'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 900),
          }
        : {}),
      ...reply.headers,
    };
    res.writeHead(reply.status, headers);
    res.end(
      isBuffer || typeof reply.body === 'string'
        ? reply.body
        : reply.body === undefined
          ? ''
          : JSON.stringify(reply.body),
    );
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const method = req.method ?? 'GET';
      fake.requests.push(`${method} ${url.pathname}`);
      const failure = takeFailure(method, url.pathname);
      const run = () => handle(method, url.pathname, url.searchParams, Buffer.concat(chunks), req);
      if (failure?.kind === 'drop') return void req.socket.destroy();
      if (failure?.kind === 'drop_after_accept') {
        run();
        return void req.socket.destroy();
      }
      if (failure?.kind === 'slow') {
        const reply = run();
        return void setTimeout(() => !res.destroyed && send(res, url.pathname, reply), failure.delayMs);
      }
      send(res, url.pathname, failure ? failureReply(failure) : run());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.imageUrl = `${fake.url}/__fixtures/image.png`;
  fake.missingImageUrl = `${fake.url}/__fixtures/missing.png`;
  return fake;
}

function parseBody(raw: Buffer, contentType: string): Record<string, unknown> {
  if (raw.length === 0) return {};
  if (contentType.includes('application/json'))
    return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  if (contentType.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  return {};
}

/** The bytes of one field of a multipart/form-data body. */
function multipartField(raw: Buffer, contentType: string, name: string): Buffer {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (!boundary) return Buffer.alloc(0);
  const delimiter = Buffer.from(`--${boundary}`);
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = raw.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (part.subarray(0, headerEnd).toString().includes(`name="${name}"`))
      return Buffer.from(part.subarray(headerEnd + 4));
    start = next;
  }
  return Buffer.alloc(0);
}
