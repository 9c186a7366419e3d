// A fake Mastodon instance on 127.0.0.1 for tests: the REST endpoints Herald uses, as documented at
// docs.joinmastodon.org: Idempotency-Key kept an hour (same key, same status), 422 validation errors, 401 for
// a bad token, 429 with X-RateLimit-* headers (Reset an ISO date), media answering 202 while processing.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeOAuth } from './oauth.js';

export interface FakeMastodonAccount {
  id: string;
  username: string;
  token: string;
}

export interface FakeStatus {
  id: string;
  accountId: string;
  text: string;
  language: string | null;
  visibility: string;
  spoilerText: string;
  inReplyToId: string | null;
  mediaIds: string[];
  createdAt: string;
  deleted: boolean;
  /** Texts set by later edits, in order. */
  edits: string[];
}

export interface FakeMedia {
  id: string;
  description: string | null;
  bytes: number;
  /** Polls left before the media is processed (202 until then). */
  pollsLeft: number;
}

export type MastodonFailure =
  | { kind: 'rate_limited'; resetInMs?: number }
  | { kind: 'server_error'; status?: number }
  | { kind: 'unauthorized' }
  | { kind: 'forbidden' }
  | { kind: 'unprocessable'; error?: string }
  /** Handles the request (a status is recorded) and answers after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** Handles the request (a status is recorded), then closes the connection without answering. */
  | { kind: 'drop_after_accept' }
  /** Closes the connection without handling the request. */
  | { kind: 'drop' };

export interface FakeMastodon {
  url: string;
  /** A PNG the fake serves (an item's image). */
  imageUrl: string;
  statuses: FakeStatus[];
  media: FakeMedia[];
  /** "METHOD /path" of every request received. */
  requests: string[];
  /** `configuration.statuses` of GET /api/v2/instance. */
  limits: { max_characters: number; characters_reserved_per_url: number };
  /** How many polls of GET /api/v1/media/:id answer 202 before the media is processed (0: POST answers 200). */
  mediaProcessingPolls: number;
  /** X-RateLimit-Remaining sent on every answer (default 299). */
  remaining: number;
  inject(failure: MastodonFailure, options?: { route?: string; nth?: number; times?: number }): void;
  /** Forgets every Idempotency-Key, as an hour later. */
  forgetIdempotencyKeys(): void;
  seed(status: { text: string; inReplyToId?: string; createdAt?: Date }): FakeStatus;
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_MASTODON_ACCOUNT: FakeMastodonAccount = {
  id: '109876543210',
  username: 'herald',
  token: 'fakeMastodonToken0001abcdef',
};

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Pending {
  failure: MastodonFailure;
  route: string | undefined;
  skip: number;
  times: number;
}

// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const IDEMPOTENCY_MS = 3_600_000;
const escapeHtml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** Mastodon's rendering of plain text: paragraphs, <br />, links with the protocol hidden and the rest cut. */
function render(text: string): string {
  const linked = (line: string) =>
    escapeHtml(line).replace(/https?:\/\/[^\s<]+/g, (url) => {
      const [, proto = '', rest = ''] = /^(https?:\/\/)(.*)$/.exec(url)!;
      const shown = rest.slice(0, 30);
      const hidden = rest.slice(30);
      return `<a href="${url}" rel="nofollow noopener" target="_blank"><span class="invisible">${proto}</span><span class="${hidden ? 'ellipsis' : ''}">${shown}</span><span class="invisible">${hidden}</span></a>`;
    });
  return text
    .split(/\n{2,}/)
    .map((p) => `<p>${p.split('\n').map(linked).join('<br />')}</p>`)
    .join('');
}

export async function startFakeMastodon(
  /** `oauth`: the instance's OAuth endpoints and app registration (tests/fakes/oauth.ts `mastodonOAuth`). */
  options: { account?: FakeMastodonAccount; oauth?: FakeOAuth } = {},
): Promise<FakeMastodon> {
  const account = options.account ?? DEFAULT_MASTODON_ACCOUNT;
  let pending: Pending[] = [];
  let keys = new Map<string, { statusId: string; at: number }>();
  // Snowflake-like ids: milliseconds shifted 16 bits, plus a sequence.
  let sequence = 0;
  const nextId = (at = Date.now()) => ((BigInt(at) << 16n) + BigInt(sequence++ % 65536)).toString();

  const fake: FakeMastodon = {
    url: '',
    imageUrl: '',
    statuses: [],
    media: [],
    requests: [],
    limits: { max_characters: 500, characters_reserved_per_url: 23 },
    mediaProcessingPolls: 0,
    remaining: 299,
    inject(failure, { route, nth = 1, times = 1 } = {}) {
      pending.push({ failure, route, skip: nth - 1, times });
    },
    forgetIdempotencyKeys() {
      keys = new Map();
    },
    seed({ text, inReplyToId, createdAt = new Date() }) {
      return addStatus({ status: text, in_reply_to_id: inReplyToId }, createdAt);
    },
    reset() {
      pending = [];
      keys = new Map();
      fake.statuses.length = 0;
      fake.media.length = 0;
      fake.requests.length = 0;
      fake.limits = { max_characters: 500, characters_reserved_per_url: 23 };
      fake.mediaProcessingPolls = 0;
      fake.remaining = 299;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  function addStatus(body: Record<string, unknown>, at = new Date()): FakeStatus {
    const status: FakeStatus = {
      id: nextId(at.getTime()),
      accountId: account.id,
      text: String(body.status ?? ''),
      language: typeof body.language === 'string' ? body.language : null,
      visibility: typeof body.visibility === 'string' ? body.visibility : 'public',
      spoilerText: typeof body.spoiler_text === 'string' ? body.spoiler_text : '',
      inReplyToId: typeof body.in_reply_to_id === 'string' ? body.in_reply_to_id : null,
      mediaIds: Array.isArray(body.media_ids) ? body.media_ids.map(String) : [],
      createdAt: at.toISOString(),
      deleted: false,
      edits: [],
    };
    fake.statuses.push(status);
    return status;
  }

  const entity = (s: FakeStatus) => ({
    id: s.id,
    created_at: s.createdAt,
    in_reply_to_id: s.inReplyToId,
    in_reply_to_account_id: s.inReplyToId ? account.id : null,
    language: s.language,
    visibility: s.visibility,
    spoiler_text: s.spoilerText,
    url: `${fake.url}/@${account.username}/${s.id}`,
    uri: `${fake.url}/users/${account.username}/statuses/${s.id}`,
    content: render(s.text),
    edited_at: s.edits.length > 0 ? new Date().toISOString() : null,
    media_attachments: s.mediaIds.map((id) => ({ id, type: 'image' })),
    account: { id: account.id, username: account.username, acct: account.username },
  });

  const error = (status: number, message: string): Reply => ({ status, body: { error: message } });
  const notFound = () => error(404, 'Record not found');

  function statusLength(text: string): number {
    const urls = text.match(/https?:\/\/[^\s]+/g) ?? [];
    const rest = text.replace(/https?:\/\/[^\s]+/g, '');
    const graphemes = [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(rest)].length;
    return graphemes + urls.length * fake.limits.characters_reserved_per_url;
  }

  function validate(body: Record<string, unknown>): Reply | null {
    const text = String(body.status ?? '');
    const media = Array.isArray(body.media_ids) ? body.media_ids : [];
    if (!text.trim() && media.length === 0) return error(422, "Validation failed: Text can't be blank");
    if (statusLength(text) > fake.limits.max_characters)
      return error(422, `Validation failed: Text character limit of ${fake.limits.max_characters} exceeded`);
    if (body.in_reply_to_id && !fake.statuses.some((s) => s.id === body.in_reply_to_id && !s.deleted))
      return notFound();
    for (const id of media) {
      const m = fake.media.find((x) => x.id === id);
      if (!m) return error(422, 'Validation failed: Media attachments is invalid');
      if (m.pollsLeft > 0)
        return error(422, 'Cannot attach files that have not finished processing. Try again in a moment!');
    }
    return null;
  }

  function postStatus(body: Record<string, unknown>, key: string | undefined): Reply {
    const now = Date.now();
    const known = key ? keys.get(key) : undefined;
    if (known && now - known.at < IDEMPOTENCY_MS) {
      const s = fake.statuses.find((x) => x.id === known.statusId)!;
      return { status: 200, body: entity(s) };
    }
    const invalid = validate(body);
    if (invalid) return invalid;
    const s = addStatus(body);
    if (key) keys.set(key, { statusId: s.id, at: now });
    return { status: 200, body: entity(s) };
  }

  function listStatuses(query: URLSearchParams): Reply {
    const big = (v: string | null) => (v ? BigInt(v) : null);
    const since = big(query.get('since_id'));
    const max = big(query.get('max_id'));
    const limit = Math.min(40, Number(query.get('limit') ?? 20));
    const list = fake.statuses
      .filter((s) => !s.deleted)
      .filter((s) => (since === null || BigInt(s.id) > since) && (max === null || BigInt(s.id) < max))
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .slice(0, limit);
    return { status: 200, body: list.map(entity) };
  }

  function uploadMedia(raw: Buffer, contentType: string): Reply {
    const description = /name="description"\r\n\r\n([^\r]*)\r\n/.exec(raw.toString('utf8'))?.[1] ?? null;
    if (!contentType.startsWith('multipart/form-data') || !raw.includes('name="file"'))
      return error(422, 'Validation failed: File is invalid');
    const m: FakeMedia = {
      id: nextId(),
      description,
      bytes: raw.length,
      pollsLeft: fake.mediaProcessingPolls,
    };
    fake.media.push(m);
    const processing = m.pollsLeft > 0;
    return {
      status: processing ? 202 : 200,
      body: {
        id: m.id,
        type: 'image',
        url: processing ? null : `${fake.url}/media/${m.id}.png`,
        description,
      },
    };
  }

  function getMedia(id: string): Reply {
    const m = fake.media.find((x) => x.id === id);
    if (!m) return notFound();
    if (m.pollsLeft > 0) m.pollsLeft--;
    const processing = m.pollsLeft > 0;
    return {
      status: processing ? 206 : 200,
      body: {
        id: m.id,
        type: 'image',
        url: processing ? null : `${fake.url}/media/${m.id}.png`,
        description: m.description,
      },
    };
  }

  function handle(
    method: string,
    path: string,
    query: URLSearchParams,
    raw: Buffer,
    headers: http.IncomingHttpHeaders,
  ): Reply {
    if (method === 'GET' && path === '/api/v2/instance')
      return { status: 200, body: { domain: '127.0.0.1', configuration: { statuses: fake.limits } } };
    const oauth = options.oauth?.handle(method, path, query, raw, headers);
    if (oauth) return oauth;
    if (headers.authorization !== `Bearer ${account.token}`) return error(401, 'The access token is invalid');
    const json = () => (raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {});
    if (method === 'GET' && path === '/api/v1/accounts/verify_credentials')
      return { status: 200, body: { id: account.id, username: account.username, acct: account.username } };
    if (method === 'GET' && path === `/api/v1/accounts/${account.id}/statuses`) return listStatuses(query);
    if (method === 'POST' && path === '/api/v1/statuses')
      return postStatus(json(), headers['idempotency-key'] as string | undefined);
    if (method === 'POST' && path === '/api/v2/media') return uploadMedia(raw, headers['content-type'] ?? '');
    const media = /^\/api\/v1\/media\/(\d+)$/.exec(path);
    if (method === 'GET' && media) return getMedia(media[1]!);
    const one = /^\/api\/v1\/statuses\/(\d+)$/.exec(path);
    const s = one ? fake.statuses.find((x) => x.id === one[1] && !x.deleted) : undefined;
    if (!s) return notFound();
    if (method === 'GET') return { status: 200, body: entity(s) };
    if (method === 'PUT') {
      const body = json();
      const invalid = validate({ ...body, in_reply_to_id: null });
      if (invalid) return invalid;
      s.text = String(body.status);
      s.edits.push(s.text);
      return { status: 200, body: entity(s) };
    }
    if (method === 'DELETE') {
      s.deleted = true;
      return { status: 200, body: { ...entity(s), text: s.text } };
    }
    return notFound();
  }

  function failureReply(failure: MastodonFailure): Reply {
    switch (failure.kind) {
      case 'rate_limited':
        return {
          status: 429,
          body: { error: 'Too many requests' },
          headers: {
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': new Date(Date.now() + (failure.resetInMs ?? 60_000)).toISOString(),
          },
        };
      case 'server_error':
        return { status: failure.status ?? 503, body: '' };
      case 'unauthorized':
        return error(401, 'The access token is invalid');
      case 'forbidden':
        return error(403, 'This action is outside the authorized scopes');
      case 'unprocessable':
        return error(422, failure.error ?? 'Validation failed: Text character limit of 500 exceeded');
      default:
        return error(500, 'We are sorry, but something went wrong on our end.');
    }
  }

  function takeFailure(method: string, path: string): MastodonFailure | null {
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
    const empty = reply.body === '' || reply.body === undefined;
    res.writeHead(reply.status, {
      'content-type': empty ? 'text/html' : 'application/json; charset=utf-8',
      'x-ratelimit-limit': '300',
      'x-ratelimit-remaining': String(fake.remaining),
      'x-ratelimit-reset': new Date(Math.ceil(Date.now() / 300_000) * 300_000).toISOString(),
      ...reply.headers,
    });
    res.end(empty ? '' : JSON.stringify(reply.body));
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const method = req.method ?? 'GET';
      const path = url.pathname;
      if (path === '/__fixtures/image.png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        return void res.end(PNG);
      }
      fake.requests.push(`${method} ${path}`);
      const failure = takeFailure(method, path);
      const run = () => handle(method, path, url.searchParams, Buffer.concat(chunks), req.headers);
      if (failure?.kind === 'drop') return void req.socket.destroy();
      if (failure?.kind === 'drop_after_accept') {
        run();
        return void req.socket.destroy();
      }
      if (failure?.kind === 'slow') {
        const reply = run();
        return void setTimeout(() => !res.destroyed && send(res, reply), failure.delayMs);
      }
      send(res, failure ? failureReply(failure) : run());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.imageUrl = `${fake.url}/__fixtures/image.png`;
  return fake;
}
