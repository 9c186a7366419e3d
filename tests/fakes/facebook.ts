// A fake Facebook Graph API on 127.0.0.1 for tests: the Page endpoints Herald uses, with Graph's error object
// and usage headers, failure injection and a record of every post accepted.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakePage {
  id: string;
  name: string;
  token: string;
}

export interface FakeFacebookPost {
  /** "{page}_{post}" */
  id: string;
  pageId: string;
  message: string;
  link: string | null;
  /** The picture URL of a photo post. */
  photoUrl: string | null;
  /** Graph's format: 2026-11-27T09:00:00+0000 */
  createdTime: string;
  /** When the fake recorded it, epoch ms (Graph's created_time has whole seconds only). */
  receivedAt: number;
  deleted: boolean;
  /** Messages set by later edits, in order. */
  edits: string[];
}

export type FacebookFailure =
  /** Throttling by code (default 32, Page limit). `minutes` fills X-Business-Use-Case-Usage estimated_time_to_regain_access; `usage` the percentages of X-App-Usage. */
  | { kind: 'rate_limited'; code?: 4 | 17 | 32 | 613 | 80001; minutes?: number; usage?: number }
  /** Codes 1 or 2 with HTTP 500. */
  | { kind: 'transient'; code?: 1 | 2 }
  /** An HTTP status without a Graph body (a proxy or load balancer failing). */
  | { kind: 'server_error'; status?: number }
  | { kind: 'token_expired' }
  /** 190 with a subcode: 458 app removed, 460 password changed, 467 invalid (default). */
  | { kind: 'token_invalid'; subcode?: 458 | 460 | 467 }
  | { kind: 'permission'; code?: 10 | 200 }
  | { kind: 'blocked' }
  | { kind: 'duplicate' }
  | { kind: 'invalid_parameter' }
  | { kind: 'link_error' }
  /** Handles the request (a post is recorded) and answers after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** Handles the request (a post is recorded), then closes the connection without answering. */
  | { kind: 'drop_after_accept' }
  /** Closes the connection without handling the request. */
  | { kind: 'drop' };

export interface InjectOptions {
  /** Only requests whose "METHOD /path" (without the version) contains this, e.g. "POST /" or "/feed". */
  route?: string;
  /** Fail the nth matching request from now (1 = the next one). */
  nth?: number;
  /** How many consecutive matching requests fail, from the nth. Default 1. */
  times?: number;
}

export interface FakeFacebook {
  /** Base URL including the version, as the adapter's graphUrl. */
  url: string;
  posts: FakeFacebookPost[];
  /** "METHOD /path" (without the version) of every request received. */
  requests: string[];
  pages: FakePage[];
  inject(failure: FacebookFailure, options?: InjectOptions): void;
  /** From now on every call with a Page's token answers 190 (463 expired, or another subcode). */
  invalidateToken(pageId?: string, subcode?: 458 | 460 | 463 | 467): void;
  seed(post: { message: string; link?: string; pageId?: string; createdTime?: Date }): FakeFacebookPost;
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_FACEBOOK_PAGE: FakePage = {
  id: '104857600123456',
  name: 'Herald Test Page',
  token: 'EAAfakepagetoken0001',
};

interface Pending {
  failure: FacebookFailure;
  route: string | undefined;
  skip: number;
  times: number;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const trace = () => `A${Math.random().toString(36).slice(2, 12)}`;

function graphError(
  status: number,
  code: number,
  message: string,
  extra: Record<string, unknown> = {},
): Reply {
  return {
    status,
    body: { error: { message, type: 'OAuthException', code, ...extra, fbtrace_id: trace() } },
  };
}

const EXPIRED_MESSAGE =
  'Error validating access token: Session has expired on Tuesday, 03-Dec-24 14:00:00 PST. The current time is Wednesday, 04-Dec-24 01:00:00 PST.';
const TOKEN_MESSAGES: Record<number, string> = {
  458: 'Error validating access token: The user has not authorized application 123456789.',
  460: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
  463: EXPIRED_MESSAGE,
  467: 'Error validating access token: The session is invalid because the user logged out.',
};

const graphTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, '+0000');

export async function startFakeFacebook(options: { pages?: FakePage[] } = {}): Promise<FakeFacebook> {
  const pages = options.pages ?? [DEFAULT_FACEBOOK_PAGE];
  let pending: Pending[] = [];
  let invalidTokens = new Map<string, number>();
  let nextPost = 900000000000000;
  let calls = 0;

  const fake: FakeFacebook = {
    url: '',
    posts: [],
    requests: [],
    pages,
    inject(failure, { route, nth = 1, times = 1 } = {}) {
      pending.push({ failure, route, skip: nth - 1, times });
    },
    invalidateToken(pageId = pages[0]!.id, subcode = 463) {
      const page = pages.find((p) => p.id === pageId)!;
      invalidTokens.set(page.token, subcode);
    },
    seed({ message, link, pageId = pages[0]!.id, createdTime = new Date() }) {
      return addPost(pageId, message, link ?? null, null, createdTime);
    },
    reset() {
      pending = [];
      invalidTokens = new Map();
      fake.posts.length = 0;
      fake.requests.length = 0;
      calls = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  function addPost(
    pageId: string,
    message: string,
    link: string | null,
    photoUrl: string | null,
    created = new Date(),
  ): FakeFacebookPost {
    nextPost += 1 + Math.floor(Math.random() * 1000);
    const post: FakeFacebookPost = {
      id: `${pageId}_${nextPost}`,
      pageId,
      message,
      link,
      photoUrl,
      createdTime: graphTime(created),
      receivedAt: Date.now(),
      deleted: false,
      edits: [],
    };
    fake.posts.push(post);
    return post;
  }

  function failureReply(failure: FacebookFailure, pageId: string): Reply {
    switch (failure.kind) {
      case 'rate_limited': {
        const code = failure.code ?? 32;
        const usage = failure.usage ?? 100;
        const headers = {
          'x-app-usage': JSON.stringify({ call_count: usage, total_cputime: 10, total_time: 12 }),
          'x-business-use-case-usage': JSON.stringify({
            [pageId]: [
              {
                type: 'pages',
                call_count: 100,
                total_cputime: 20,
                total_time: 25,
                estimated_time_to_regain_access: failure.minutes ?? 0,
              },
            ],
          }),
        };
        const messages: Record<number, string> = {
          4: '(#4) Application request limit reached',
          17: '(#17) User request limit reached',
          32: '(#32) Page request limit reached',
          613: '(#613) Calls to this api have exceeded the rate limit.',
          80001:
            'There have been too many calls to this Page account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
        };
        return { ...graphError(400, code, messages[code]!, { is_transient: true }), headers };
      }
      case 'transient':
        return failure.code === 1
          ? graphError(500, 1, 'An unknown error has occurred.')
          : graphError(500, 2, 'An unexpected error has occurred. Please retry your request later.', {
              is_transient: true,
            });
      case 'server_error':
        return { status: failure.status ?? 502, body: '' };
      case 'token_expired':
        return graphError(400, 190, EXPIRED_MESSAGE, { error_subcode: 463 });
      case 'token_invalid': {
        const subcode = failure.subcode ?? 467;
        return graphError(400, 190, TOKEN_MESSAGES[subcode]!, { error_subcode: subcode });
      }
      case 'permission':
        return failure.code === 10
          ? graphError(403, 10, '(#10) Application does not have permission for this action')
          : graphError(
              403,
              200,
              '(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission',
            );
      case 'blocked':
        return graphError(
          400,
          368,
          'It looks like you were misusing this feature by going too fast. You’ve been temporarily blocked from using it.',
          { error_subcode: 1390008 },
        );
      case 'duplicate':
        return graphError(400, 506, 'Duplicate status message', {
          error_subcode: 1455006,
          error_user_title: 'Duplicate Post',
          error_user_msg: 'This status update is identical to the last one you posted.',
        });
      case 'invalid_parameter':
        return graphError(400, 100, '(#100) Invalid parameter');
      case 'link_error':
        return graphError(400, 1609005, 'Error Posting Link', {
          error_user_msg: 'The link could not be fetched.',
        });
      default:
        return graphError(500, 1, 'An unknown error has occurred.');
    }
  }

  function notFound(id: string): Reply {
    return graphError(
      400,
      100,
      `Unsupported request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      { type: 'GraphMethodException', error_subcode: 33 },
    );
  }

  function listPosts(page: FakePage, query: URLSearchParams, token: string): Reply {
    const since = Number(query.get('since') ?? 0) * 1000;
    const limit = Math.min(100, Number(query.get('limit') ?? 25));
    const offset = query.get('after') ? Number(Buffer.from(query.get('after')!, 'base64').toString()) : 0;
    const fields = (query.get('fields') ?? 'id,message,created_time').split(',');
    const all = fake.posts
      .filter(
        (p) => p.pageId === page.id && !p.deleted && Date.parse(p.createdTime.replace('+0000', 'Z')) >= since,
      )
      .reverse();
    const slice = all.slice(offset, offset + limit);
    const data = slice.map((p) => {
      const out: Record<string, unknown> = { id: p.id };
      if (fields.includes('message') && p.message) out.message = p.message;
      if (fields.includes('link') && p.link) out.link = p.link;
      if (fields.includes('created_time')) out.created_time = p.createdTime;
      return out;
    });
    const after = Buffer.from(String(offset + limit)).toString('base64');
    const paging: Record<string, unknown> = {
      cursors: { before: Buffer.from(String(offset)).toString('base64'), after },
    };
    if (offset + limit < all.length)
      paging.next = `${fake.url}/${page.id}/posts?access_token=${token}&limit=${limit}&after=${after}`;
    return { status: 200, body: { data, paging } };
  }

  function handle(method: string, path: string, params: URLSearchParams): Reply {
    const token = params.get('access_token') ?? '';
    const page = pages.find((p) => p.token === token);
    if (!page)
      return graphError(400, 190, 'Invalid OAuth access token - Cannot parse access token', {
        type: 'OAuthException',
      });
    const invalid = invalidTokens.get(token);
    if (invalid) return graphError(400, 190, TOKEN_MESSAGES[invalid]!, { error_subcode: invalid });
    const [first = '', edge] = path.slice(1).split('/');
    const target = first === 'me' ? page.id : first;
    if (target !== page.id && pages.some((p) => p.id === target))
      return graphError(403, 200, '(#200) Permissions error');
    if (method === 'GET' && !edge) {
      if (target === page.id) return { status: 200, body: { id: page.id, name: page.name } };
      return notFound(target);
    }
    if (method === 'GET' && edge === 'posts') return listPosts(page, params, token);
    if (method === 'POST' && (edge === 'feed' || edge === 'photos')) {
      const message = params.get(edge === 'feed' ? 'message' : 'caption') ?? params.get('message') ?? '';
      const link = edge === 'feed' ? params.get('link') : null;
      if (edge === 'feed' && !message && !link)
        return graphError(400, 100, '(#100) Missing message or attachment');
      const last = fake.posts.filter((p) => p.pageId === page.id && !p.deleted).at(-1);
      if (last && last.message === message && last.link === (link ?? last.link))
        return failureReply({ kind: 'duplicate' }, page.id);
      if (edge === 'feed') return { status: 200, body: { id: addPost(page.id, message, link, null).id } };
      const post = addPost(page.id, message, null, params.get('url'));
      const photoId = post.id.split('_')[1]!;
      post.link = `https://www.facebook.com/photo.php?fbid=${photoId}`;
      return { status: 200, body: { id: photoId, post_id: post.id } };
    }
    const post = fake.posts.find((p) => p.id === first && p.pageId === page.id && !p.deleted);
    if (!post || edge) return notFound(first);
    if (method === 'POST') {
      post.message = params.get('message') ?? post.message;
      post.edits.push(post.message);
      return { status: 200, body: { success: true } };
    }
    if (method === 'DELETE') {
      post.deleted = true;
      return { status: 200, body: { success: true } };
    }
    return notFound(first);
  }

  function takeFailure(method: string, path: string): FacebookFailure | null {
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

  function send(res: http.ServerResponse, reply: Reply): void {
    calls++;
    const empty = reply.body === '' || reply.body === undefined;
    res.writeHead(reply.status, {
      'content-type': empty ? 'text/html' : 'application/json; charset=UTF-8',
      'facebook-api-version': 'v26.0',
      'x-fb-trace-id': trace(),
      'x-app-usage': JSON.stringify({ call_count: Math.min(100, calls), total_cputime: 1, total_time: 1 }),
      ...reply.headers,
    });
    res.end(empty ? '' : JSON.stringify(reply.body));
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const path = url.pathname.replace(/^\/v\d+\.\d+/, '');
      const method = req.method ?? 'GET';
      const params = new URLSearchParams(url.searchParams);
      for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) params.set(k, v);
      fake.requests.push(`${method} ${path}`);
      const pageId = pages.find((p) => p.token === params.get('access_token'))?.id ?? pages[0]!.id;
      const failure = takeFailure(method, path);
      const run = () => handle(method, path, params);
      if (failure?.kind === 'drop') return void req.socket.destroy();
      if (failure?.kind === 'drop_after_accept') {
        run();
        return void req.socket.destroy();
      }
      if (failure?.kind === 'slow') {
        const reply = run();
        return void setTimeout(() => !res.destroyed && send(res, reply), failure.delayMs);
      }
      send(res, failure ? failureReply(failure, pageId) : run());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v26.0`;
  return fake;
}
