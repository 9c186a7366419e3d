// A fake LinkedIn REST API (Posts and Images) on 127.0.0.1 for tests: versioned headers, Rest.li 2.0.0, the
// "little" commentary format cut at the first unescaped reserved character (answering 201, as LinkedIn
// does), failure injection and a record of every post.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOrganization {
  id: string;
  /** The access token of a member who administers this organisation's page. */
  token: string;
}

export interface FakeLinkedInPost {
  /** urn:li:share:N */
  id: string;
  organizationId: string;
  /** The commentary as LinkedIn keeps it: what was sent, up to the first unescaped reserved character. */
  commentary: string;
  /** The text people see. */
  shown: string;
  /** Whether LinkedIn cut the commentary (an unescaped reserved character). */
  cut: boolean;
  /** The hashtag elements LinkedIn made of it (without `#`): what links to the hashtag's feed. */
  hashtags: string[];
  article: { source: string; title?: string; description?: string; thumbnail?: string } | null;
  createdAt: number;
  deleted: boolean;
  /** Commentaries set by later partial updates, in order (as shown). */
  edits: string[];
}

export type LinkedInFailure =
  /** 429; LinkedIn sends no Retry-After for its daily quotas, `retryAfter` adds one (seconds). */
  | { kind: 'rate_limited'; retryAfter?: number }
  | { kind: 'server_error'; status?: number }
  /** 426 NONEXISTENT_VERSION, as for a retired LinkedIn-Version. */
  | { kind: 'retired_version' }
  | { kind: 'token_expired' }
  | { kind: 'permission' }
  | { kind: 'invalid' }
  /** Handles the request (a post is recorded) and answers after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** Handles the request and answers once `release` settles: the caller stalls right after it (a frozen worker). */
  | { kind: 'held'; release: Promise<unknown> }
  /** Handles the request (a post is recorded), then closes the connection without answering. */
  | { kind: 'drop_after_accept' }
  /** Closes the connection without handling the request. */
  | { kind: 'drop' };

export interface InjectOptions {
  /** Only requests whose "METHOD /path" contains this, e.g. "POST /rest/posts". */
  route?: string;
  /** Fail the nth matching request from now (1 = the next one). */
  nth?: number;
  /** How many consecutive matching requests fail, from the nth. Default 1. */
  times?: number;
}

export interface FakeLinkedIn {
  url: string;
  /** A small PNG this fake serves, for items with an image. */
  imageUrl: string;
  posts: FakeLinkedInPost[];
  /** "METHOD /path" (query left out) of every request received. */
  requests: string[];
  /** Bytes received by image uploads, by image URN. */
  images: Map<string, number>;
  /** LinkedIn-Version of every request. */
  versions: string[];
  inject(failure: LinkedInFailure, options?: InjectOptions): void;
  /** From now on the organisation's token answers 401 (expired). */
  expireToken(organizationId?: string): void;
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_LINKEDIN_ORGANIZATION: FakeOrganization = {
  id: '2414183',
  token: 'AQXfakelinkedintoken0001',
};

/** Versions this fake serves; anything else is retired (426). */
export const ACTIVE_LINKEDIN_VERSIONS = ['202510', '202511', '202512', '202601', '202602', '202610'];

const RESERVED = '\\|{}@[]()<>#*_~';
/** A 1x1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * How LinkedIn shows a little-format commentary: `\x` is the character x, URLs (not inside a word, up to a
 * space or backslash) and `#word` hashtags are elements, `{hashtag|\#|word}` and `@[Name](urn:li:…)` are
 * templates; the text ends at the first other reserved character.
 */
export function renderLittle(commentary: string): {
  shown: string;
  cutAt: number | null;
  hashtags: string[];
} {
  let shown = '';
  const hashtags: string[] = [];
  let i = 0;
  while (i < commentary.length) {
    const rest = commentary.slice(i);
    const wordStart = i === 0 || !/[\p{L}\p{N}]/u.test(commentary[i - 1]!);
    const url = wordStart ? /^https?:\/\/[^\s\\]+/u.exec(rest) : null;
    const hashtag = /^#[\p{L}\p{M}\p{N}]+/u.exec(rest);
    const template = /^\{hashtag\|\\#\|([\p{L}\p{M}\p{N}_]+)\}/u.exec(rest);
    const mention = /^@\[([^\]\\]*)\]\(urn:li:(?:person|organization):\d+\)/u.exec(rest);
    const token = url ?? hashtag ?? template ?? mention;
    if (token) {
      if (hashtag ?? template) hashtags.push(template ? template[1]! : hashtag![0].slice(1));
      shown += template ? `#${template[1]}` : mention ? mention[1] : token[0];
      i += token[0].length;
    } else if (commentary[i] === '\\' && i + 1 < commentary.length) {
      shown += commentary[i + 1];
      i += 2;
    } else if (RESERVED.includes(commentary[i]!)) {
      return { shown, cutAt: i, hashtags };
    } else {
      shown += commentary[i];
      i++;
    }
  }
  return { shown, cutAt: null, hashtags };
}

interface Pending {
  failure: LinkedInFailure;
  route: string | undefined;
  skip: number;
  times: number;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const error = (
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): Reply => ({
  status,
  body: { status, code, message, ...extra },
});

function inputError(field: string, code: string, description: string): Reply {
  return {
    status: 422,
    body: {
      status: 422,
      message: `ERROR :: /${field} :: ${description}`,
      errorDetailType: 'com.linkedin.common.error.BadRequest',
      errorDetails: { inputErrors: [{ code, description, input: { inputPath: { fieldPath: field } } }] },
    },
  };
}

function failureReply(failure: LinkedInFailure, version: string): Reply {
  switch (failure.kind) {
    case 'rate_limited': {
      const reply = error(
        429,
        'TOO_MANY_REQUESTS',
        'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.',
        { serviceErrorCode: 101 },
      );
      if (failure.retryAfter !== undefined) reply.headers = { 'retry-after': String(failure.retryAfter) };
      return reply;
    }
    case 'server_error':
      return { status: failure.status ?? 502, body: '' };
    case 'retired_version':
      return error(426, 'NONEXISTENT_VERSION', `Requested version ${version} is not active`);
    case 'token_expired':
      return error(401, 'EXPIRED_ACCESS_TOKEN', 'The token used in the request has expired', {
        serviceErrorCode: 65601,
      });
    case 'permission':
      return error(
        403,
        'ACCESS_DENIED',
        'Not enough permissions to access: partnerApiPostsExternal.CREATE.20251101',
        {
          serviceErrorCode: 100,
        },
      );
    case 'invalid':
      return inputError('content/article/source', 'INVALID_URL', 'Invalid article source url');
    default:
      return { status: 500, body: '' };
  }
}

interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export async function startFakeLinkedIn(
  options: { organizations?: FakeOrganization[] } = {},
): Promise<FakeLinkedIn> {
  const organizations = options.organizations ?? [DEFAULT_LINKEDIN_ORGANIZATION];
  let pending: Pending[] = [];
  let expired = new Set<string>();
  const uploads = new Map<string, string>(); // upload id -> image URN
  let next = 7100000000000000000n;

  const fake: FakeLinkedIn = {
    url: '',
    imageUrl: '',
    posts: [],
    requests: [],
    images: new Map(),
    versions: [],
    inject(failure, { route, nth = 1, times = 1 } = {}) {
      pending.push({ failure, route, skip: nth - 1, times });
    },
    expireToken(organizationId = organizations[0]!.id) {
      expired.add(organizations.find((o) => o.id === organizationId)!.token);
    },
    reset() {
      pending = [];
      expired = new Set();
      fake.posts.length = 0;
      fake.requests.length = 0;
      fake.versions.length = 0;
      fake.images.clear();
      uploads.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const newId = () => (next += BigInt(1 + Math.floor(Math.random() * 1000))).toString();

  function json(body: Buffer): Record<string, unknown> | null {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  function createPost(org: FakeOrganization, body: Record<string, unknown> | null): Reply {
    if (!body) return error(400, 'BAD_REQUEST', 'Invalid JSON');
    if (body.author !== `urn:li:organization:${org.id}`) return failureReply({ kind: 'permission' }, '');
    for (const field of ['commentary', 'visibility', 'lifecycleState'] as const)
      if (typeof body[field] !== 'string') return inputError(field, 'FIELD_REQUIRED', 'field is required');
    const distribution = body.distribution as { feedDistribution?: unknown } | undefined;
    if (distribution?.feedDistribution !== 'MAIN_FEED')
      return inputError('distribution', 'FIELD_REQUIRED', 'distribution.feedDistribution is required');
    const commentary = body.commentary as string;
    if (commentary.length > 3000)
      return inputError('commentary', 'MAX_LENGTH_EXCEEDED', 'length exceeds 3000 characters');
    const article = (body.content as { article?: FakeLinkedInPost['article'] } | undefined)?.article ?? null;
    if (article && typeof article.source !== 'string')
      return inputError('content/article/source', 'FIELD_REQUIRED', 'field is required');
    if (article?.thumbnail && !fake.images.has(article.thumbnail))
      return inputError('content/article/thumbnail', 'INVALID_URN', 'image not found or not uploaded');
    const { shown, cutAt, hashtags } = renderLittle(commentary);
    const post: FakeLinkedInPost = {
      id: `urn:li:share:${newId()}`,
      organizationId: org.id,
      commentary: cutAt === null ? commentary : commentary.slice(0, cutAt),
      shown,
      cut: cutAt !== null,
      hashtags,
      article,
      createdAt: Date.now(),
      deleted: false,
      edits: [],
    };
    fake.posts.push(post);
    return { status: 201, headers: { 'x-restli-id': post.id, 'x-linkedin-id': post.id } };
  }

  function findPosts(org: FakeOrganization, query: URLSearchParams): Reply {
    if (query.get('q') !== 'author') return error(400, 'BAD_REQUEST', 'Unsupported finder');
    if (query.get('author') !== `urn:li:organization:${org.id}`)
      return failureReply({ kind: 'permission' }, '');
    const start = Number(query.get('start') ?? 0);
    const count = Math.min(100, Number(query.get('count') ?? 10));
    const all = fake.posts
      .filter((p) => p.organizationId === org.id && !p.deleted)
      .sort((a, b) => b.createdAt - a.createdAt);
    const elements = all.slice(start, start + count).map((p) => ({
      id: p.id,
      author: `urn:li:organization:${p.organizationId}`,
      commentary: p.commentary,
      visibility: 'PUBLIC',
      lifecycleState: 'PUBLISHED',
      createdAt: p.createdAt,
      publishedAt: p.createdAt,
      lastModifiedAt: p.createdAt,
      ...(p.article && { content: { article: p.article } }),
    }));
    return { status: 200, body: { paging: { start, count, links: [] }, elements } };
  }

  function onePost(org: FakeOrganization, request: Request, urn: string): Reply {
    const post = fake.posts.find((p) => p.id === urn && !p.deleted);
    if (!post) return error(404, 'NOT_FOUND', `Post ${urn} not found`);
    if (post.organizationId !== org.id) return failureReply({ kind: 'permission' }, '');
    const method = request.headers['x-restli-method'];
    if (request.method === 'DELETE') {
      post.deleted = true;
      return { status: 204 };
    }
    if (request.method === 'POST' && method === 'PARTIAL_UPDATE') {
      const patch = json(request.body)?.patch as { $set?: { commentary?: unknown } } | undefined;
      const commentary = patch?.$set?.commentary;
      if (typeof commentary !== 'string') return error(400, 'BAD_REQUEST', 'Invalid patch');
      const { shown, cutAt, hashtags } = renderLittle(commentary);
      post.commentary = cutAt === null ? commentary : commentary.slice(0, cutAt);
      post.shown = shown;
      post.cut = cutAt !== null;
      post.hashtags = hashtags;
      post.edits.push(shown);
      return { status: 204 };
    }
    return error(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
  }

  function handle(request: Request): Reply {
    const { method, path, query, headers } = request;
    if (method === 'GET' && path === '/__fixtures/image.png')
      return { status: 200, body: PNG, headers: { 'content-type': 'image/png' } };
    if (method === 'PUT' && path.startsWith('/upload/images/')) {
      const image = uploads.get(path.slice('/upload/images/'.length));
      if (!image) return error(404, 'NOT_FOUND', 'Unknown upload');
      fake.images.set(image, request.body.length);
      return { status: 201 };
    }
    const version = String(headers['linkedin-version'] ?? '');
    if (!version)
      return error(
        400,
        'VERSION_MISSING',
        'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
      );
    if (!ACTIVE_LINKEDIN_VERSIONS.includes(version))
      return failureReply({ kind: 'retired_version' }, version);
    if (headers['x-restli-protocol-version'] !== '2.0.0')
      return error(400, 'BAD_REQUEST', 'Rest.li protocol version 2.0.0 is required');
    const token = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1] ?? '';
    const org = organizations.find((o) => o.token === token);
    if (!org) return error(401, 'INVALID_ACCESS_TOKEN', 'Invalid access token', { serviceErrorCode: 65600 });
    if (expired.has(token)) return failureReply({ kind: 'token_expired' }, version);
    if (method === 'POST' && path === '/rest/images' && query.get('action') === 'initializeUpload') {
      const owner = (json(request.body)?.initializeUploadRequest as { owner?: unknown } | undefined)?.owner;
      if (owner !== `urn:li:organization:${org.id}`) return failureReply({ kind: 'permission' }, version);
      const id = newId();
      const image = `urn:li:image:D4E10AQ${id}`;
      uploads.set(id, image);
      return {
        status: 200,
        body: {
          value: {
            uploadUrlExpiresAt: Date.now() + 3_600_000,
            uploadUrl: `${fake.url}/upload/images/${id}`,
            image,
          },
        },
      };
    }
    if (path === '/rest/posts' && method === 'POST') return createPost(org, json(request.body));
    if (path === '/rest/posts' && method === 'GET') return findPosts(org, query);
    const match = /^\/rest\/posts\/([^/]+)$/.exec(path);
    if (match) return onePost(org, request, decodeURIComponent(match[1]!));
    return error(404, 'NOT_FOUND', `No resource at ${path}`);
  }

  function takeFailure(route: string): LinkedInFailure | null {
    for (const p of pending) {
      if (p.route && !route.includes(p.route)) continue;
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
    const empty = reply.body === '' || reply.body === undefined;
    res.writeHead(reply.status, {
      ...(!empty && { 'content-type': 'application/json' }),
      'x-li-uuid': Math.random().toString(36).slice(2),
      ...reply.headers,
    });
    res.end(Buffer.isBuffer(reply.body) ? reply.body : empty ? '' : JSON.stringify(reply.body));
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const request: Request = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      const route = `${request.method} ${request.path}`;
      fake.requests.push(route);
      if (!request.path.startsWith('/upload/'))
        fake.versions.push(String(req.headers['linkedin-version'] ?? ''));
      const failure = takeFailure(route);
      const version = String(req.headers['linkedin-version'] ?? '');
      if (failure?.kind === 'drop') return void req.socket.destroy();
      if (failure?.kind === 'drop_after_accept') {
        handle(request);
        return void req.socket.destroy();
      }
      if (failure?.kind === 'slow') {
        const reply = handle(request);
        return void setTimeout(() => !res.destroyed && send(res, reply), failure.delayMs);
      }
      if (failure?.kind === 'held') {
        const reply = handle(request);
        return void failure.release.finally(() => !res.destroyed && send(res, reply));
      }
      send(res, failure ? failureReply(failure, version) : handle(request));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.imageUrl = `${fake.url}/__fixtures/image.png`;
  return fake;
}
