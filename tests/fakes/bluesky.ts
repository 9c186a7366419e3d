// A fake Bluesky PDS on 127.0.0.1 for tests: the XRPC methods Herald uses, with the PDS's error bodies
// ({error, message}), rotating refresh tokens, ExpiredToken answers, a refusal of a record key already in use,
// failure injection, and the PDS's rate limits: the global one (3,000 requests per 5 minutes), the repo writes'
// points (5,000 an hour, 35,000 a day; a create costs 3, a delete 1) and createSession's own (30 per 5 minutes).
// Like the PDS (xrpc-server), every answer carries RateLimit-Limit, -Remaining, -Reset (epoch seconds) and
// -Policy ("5000;w=3600") of the tightest limit the call counted against, and a call that would exceed one is
// refused with 429 RateLimitExceeded.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeBlueskyAccount {
  did: string;
  handle: string;
  password: string;
}

export interface FakeBlueskyRecord {
  uri: string;
  cid: string;
  rkey: string;
  collection: string;
  value: Record<string, unknown>;
  deleted: boolean;
}

export type BlueskyFailure =
  /** 429 RateLimitExceeded with ratelimit-reset `seconds` from now (default 60). */
  | { kind: 'rate_limited'; seconds?: number }
  | { kind: 'server_error'; status?: number }
  /** 400 ExpiredToken, as for an access token past its lifetime. */
  | { kind: 'expired_token' }
  /** 401 AuthenticationRequired (revoked app password, signed-out session). */
  | { kind: 'auth_required' }
  /** Handles the request (a record is written), then closes the connection without answering. */
  | { kind: 'drop_after_accept' }
  /** Handles the request and answers after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** Closes the connection without handling the request. */
  | { kind: 'drop' };

export interface FakeBluesky {
  url: string;
  account: FakeBlueskyAccount;
  records: FakeBlueskyRecord[];
  /** Live posts (app.bsky.feed.post, not deleted). */
  readonly posts: FakeBlueskyRecord[];
  blobs: Array<{ cid: string; mimeType: string; size: number }>;
  /** The XRPC method of every request, e.g. "com.atproto.repo.createRecord". */
  requests: string[];
  sessionsCreated: number;
  refreshes: number;
  /** Write points left in the hour (a create costs 3, a delete 1), as in ratelimit-remaining. */
  pointsLeft: number;
  /** Requests left in the global 5-minute window (every call costs one). */
  requestsLeft: number;
  /** Leaves `points` write points in the hour, whose window then ends in `resetInS` seconds. */
  setWritePoints(points: number, resetInS?: number): void;
  /** Raises every limit (global, hourly and daily points) out of reach until the next reset(): for throughput benches. */
  liftLimits(): void;
  /** Calls refused with 429 because a limit was exhausted (not injected failures). */
  rateLimitRefusals: number;
  inject(failure: BlueskyFailure, options?: { method?: string; nth?: number; times?: number }): void;
  /** Every access token issued so far answers ExpiredToken from now on. */
  expireAccessTokens(): void;
  /** Refresh tokens too (as after two months): only createSession helps. */
  expireRefreshTokens(): void;
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_BLUESKY_ACCOUNT: FakeBlueskyAccount = {
  did: 'did:plc:heraldtest0000000000001',
  handle: 'herald-test.bsky.social',
  password: 'abcd-efgh-ijkl-mnop',
};

const HOUR_POINTS = 5000;
const DAY_POINTS = 35_000;
const GLOBAL_REQUESTS = 3000;
/** What liftLimits() leaves in each window: more than any bench sends. */
const LIFTED = 1_000_000_000;

/** One of the PDS's limits: `points` per window, counted from the window's first use. */
interface Limit {
  points: number;
  windowS: number;
  left: number;
  start: number;
}

const newLimit = (points: number, windowS: number): Limit => ({
  points,
  windowS,
  left: points,
  start: Date.now(),
});

function renewed(limit: Limit): Limit {
  if (Date.now() - limit.start >= limit.windowS * 1000)
    Object.assign(limit, { start: Date.now(), left: limit.points });
  return limit;
}

function limitHeaders(limit: Limit): Record<string, string> {
  return {
    'ratelimit-limit': String(limit.points),
    'ratelimit-remaining': String(Math.max(0, limit.left)),
    'ratelimit-reset': String(Math.ceil((limit.start + limit.windowS * 1000) / 1000)),
    'ratelimit-policy': `${limit.points};w=${limit.windowS}`,
  };
}
const TID = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A real CIDv1 (sha-256) in base32, as the PDS gives for records (dag-cbor) and blobs (raw). */
function cidOf(data: Buffer | string, codec: 0x55 | 0x71): string {
  const bytes = Buffer.concat([
    Buffer.from([0x01, codec, 0x12, 0x20]),
    createHash('sha256').update(data).digest(),
  ]);
  let bits = 0;
  let value = 0;
  let out = 'b';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return bits > 0 ? out + BASE32[(value << (5 - bits)) & 31] : out;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const xrpcError = (
  status: number,
  error: string,
  message: string,
  headers?: Record<string, string>,
): Reply => ({
  status,
  body: { error, message },
  headers,
});

export async function startFakeBluesky(account = DEFAULT_BLUESKY_ACCOUNT): Promise<FakeBluesky> {
  let pending: Array<{ failure: BlueskyFailure; method?: string | undefined; skip: number; times: number }> =
    [];
  let access = new Map<string, boolean>(); // token -> expired
  let refresh = new Map<string, boolean>();
  let sessionTimes: number[] = [];
  let hour = newLimit(HOUR_POINTS, 3600);
  let day = newLimit(DAY_POINTS, 86_400);
  let global = newLimit(GLOBAL_REQUESTS, 300);
  let counter = 0;

  const fake: FakeBluesky = {
    url: '',
    account,
    records: [],
    get posts() {
      return fake.records.filter((r) => r.collection === 'app.bsky.feed.post' && !r.deleted);
    },
    blobs: [],
    requests: [],
    sessionsCreated: 0,
    refreshes: 0,
    get pointsLeft() {
      return renewed(hour).left;
    },
    set pointsLeft(points: number) {
      renewed(hour).left = points;
    },
    get requestsLeft() {
      return renewed(global).left;
    },
    set requestsLeft(requests: number) {
      renewed(global).left = requests;
    },
    setWritePoints(points, resetInS = 3600) {
      hour = { ...newLimit(HOUR_POINTS, 3600), left: points, start: Date.now() - (3600 - resetInS) * 1000 };
    },
    liftLimits() {
      const lifted = (limit: Limit): Limit => ({ ...limit, points: LIFTED, left: LIFTED });
      hour = lifted(hour);
      day = lifted(day);
      global = lifted(global);
    },
    rateLimitRefusals: 0,
    inject(failure, { method, nth = 1, times = 1 } = {}) {
      pending.push({ failure, method, skip: nth - 1, times });
    },
    expireAccessTokens() {
      for (const token of access.keys()) access.set(token, true);
    },
    expireRefreshTokens() {
      for (const token of refresh.keys()) refresh.set(token, true);
    },
    reset() {
      pending = [];
      access = new Map();
      refresh = new Map();
      sessionTimes = [];
      fake.records.length = 0;
      fake.blobs.length = 0;
      fake.requests.length = 0;
      fake.sessionsCreated = 0;
      fake.refreshes = 0;
      fake.rateLimitRefusals = 0;
      hour = newLimit(HOUR_POINTS, 3600);
      day = newLimit(DAY_POINTS, 86_400);
      global = newLimit(GLOBAL_REQUESTS, 300);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  /** The limits a call counts against (the global one first). */
  function limitsOf(method: string): Limit[] {
    const writes = method === 'com.atproto.repo.createRecord' || method === 'com.atproto.repo.deleteRecord';
    return [renewed(global), ...(writes ? [renewed(hour), renewed(day)] : [])];
  }

  /** The headers of the limit with the fewest points left, as the PDS sends them. */
  function tightestHeaders(method: string): Record<string, string> {
    const limits = limitsOf(method);
    return limitHeaders(limits.reduce((a, b) => (b.left < a.left ? b : a)));
  }

  function issue(): Reply {
    const accessJwt = `acc.${++counter}.${Math.random().toString(36).slice(2)}`;
    const refreshJwt = `ref.${counter}.${Math.random().toString(36).slice(2)}`;
    access.set(accessJwt, false);
    refresh.set(refreshJwt, false);
    return {
      status: 200,
      body: { did: account.did, handle: account.handle, accessJwt, refreshJwt, active: true },
    };
  }

  function authorize(header: string | undefined, tokens: Map<string, boolean>): Reply | null {
    const token = header?.replace(/^Bearer /, '') ?? '';
    if (!tokens.has(token)) return xrpcError(400, 'InvalidToken', 'Token could not be verified');
    if (tokens.get(token)) return xrpcError(400, 'ExpiredToken', 'Token has expired');
    return null;
  }

  /** Spends a write's points from the hour and the day, or refuses it (and spends nothing) when one has too few. */
  function spend(points: number): Reply | null {
    const exhausted = [renewed(hour), renewed(day)].find((limit) => limit.left < points);
    if (exhausted) {
      fake.rateLimitRefusals++;
      return xrpcError(429, 'RateLimitExceeded', 'Rate Limit Exceeded', limitHeaders(exhausted));
    }
    hour.left -= points;
    day.left -= points;
    return null;
  }

  const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
  const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
  const graphemes = (s: string) => [...segmenter.segment(s)].length;

  /** The lexicon rules of app.bsky.feed.post that a PDS checks on write. */
  function postProblem(value: Record<string, unknown>): string | null {
    const text = typeof value.text === 'string' ? value.text : null;
    if (text === null || typeof value.createdAt !== 'string') return 'Record/text and createdAt are required';
    if (graphemes(text) > 300) return 'Record/text must not be longer than 300 graphemes';
    if (utf8(text) > 3000) return 'Record/text must not be longer than 3000 characters';
    for (const facet of (value.facets as Array<{ index: { byteStart: number; byteEnd: number } }>) ?? []) {
      const { byteStart, byteEnd } = facet.index;
      if (!(byteStart >= 0 && byteEnd > byteStart && byteEnd <= utf8(text)))
        return 'Record/facets has an invalid index';
    }
    const embed = value.embed as {
      external?: { thumb?: { size: number } };
      images?: Array<{ image: { size: number } }>;
    };
    const blobs = [embed?.external?.thumb, ...(embed?.images ?? []).map((i) => i.image)].filter(Boolean);
    if (blobs.some((b) => b!.size > 1_000_000)) return 'Record/embed blob is too big: maximum size 1000000';
    return null;
  }

  function write(method: string, body: Record<string, unknown>): Reply {
    if (body.repo !== account.did && body.repo !== account.handle)
      return xrpcError(400, 'InvalidRequest', 'Invalid repo');
    const collection = String(body.collection);
    if (method === 'com.atproto.repo.deleteRecord') {
      const denied = spend(1);
      if (denied) return denied;
      const found = fake.records.find(
        (r) => r.collection === collection && r.rkey === body.rkey && !r.deleted,
      );
      if (found) found.deleted = true;
      return { status: 200, body: {} };
    }
    const rkey = typeof body.rkey === 'string' ? body.rkey : null;
    if (collection === 'app.bsky.feed.post' && rkey !== null && !TID.test(rkey))
      return xrpcError(400, 'InvalidRequest', `Invalid record key: ${rkey}`);
    const value = body.record as Record<string, unknown>;
    const problem = collection === 'app.bsky.feed.post' ? postProblem(value) : null;
    if (problem) return xrpcError(400, 'InvalidRequest', `Invalid app.bsky.feed.post record: ${problem}`);
    const key = rkey ?? `3${Date.now().toString(32)}${counter++}`.padEnd(13, '2').slice(0, 13);
    if (fake.records.some((r) => r.collection === collection && r.rkey === key && !r.deleted))
      return xrpcError(
        400,
        'InvalidRequest',
        `Record already exists at at://${account.did}/${collection}/${key}`,
      );
    const denied = spend(3);
    if (denied) return denied;
    const record: FakeBlueskyRecord = {
      uri: `at://${account.did}/${collection}/${key}`,
      cid: cidOf(JSON.stringify(value), 0x71),
      rkey: key,
      collection,
      value,
      deleted: false,
    };
    fake.records.push(record);
    return { status: 200, body: { uri: record.uri, cid: record.cid, validationStatus: 'valid' } };
  }

  function handle(method: string, req: http.IncomingMessage, query: URLSearchParams, raw: Buffer): Reply {
    const json = () => JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
    switch (method) {
      case 'com.atproto.server.createSession': {
        const { identifier, password } = json();
        const now = Date.now();
        sessionTimes = sessionTimes.filter((t) => t > now - 300_000);
        if (sessionTimes.length >= 30) {
          const reset = String(Math.ceil((sessionTimes[0]! + 300_000) / 1000));
          const headers = {
            'ratelimit-limit': '30',
            'ratelimit-remaining': '0',
            'ratelimit-reset': reset,
            'ratelimit-policy': '30;w=300',
          };
          return xrpcError(429, 'RateLimitExceeded', 'Rate Limit Exceeded', headers);
        }
        sessionTimes.push(now);
        if ((identifier !== account.handle && identifier !== account.did) || password !== account.password)
          return xrpcError(401, 'AuthenticationRequired', 'Invalid identifier or password');
        fake.sessionsCreated++;
        return issue();
      }
      case 'com.atproto.server.refreshSession': {
        const refused = authorize(req.headers.authorization, refresh);
        if (refused) return refused;
        refresh.delete(req.headers.authorization!.replace(/^Bearer /, '')); // rotated: single use
        fake.refreshes++;
        return issue();
      }
      case 'com.atproto.repo.getRecord': {
        const found = fake.records.find(
          (r) => r.collection === query.get('collection') && r.rkey === query.get('rkey') && !r.deleted,
        );
        if (!found)
          return xrpcError(
            400,
            'RecordNotFound',
            `Could not locate record: at://${query.get('repo')}/${query.get('collection')}/${query.get('rkey')}`,
          );
        return { status: 200, body: { uri: found.uri, cid: found.cid, value: found.value } };
      }
      case 'com.atproto.identity.resolveHandle': {
        if (query.get('handle') === account.handle) return { status: 200, body: { did: account.did } };
        return xrpcError(400, 'InvalidRequest', 'Unable to resolve handle');
      }
    }
    const refused = authorize(req.headers.authorization, access);
    if (refused) return refused;
    switch (method) {
      case 'com.atproto.server.getSession':
        return { status: 200, body: { did: account.did, handle: account.handle, active: true } };
      case 'com.atproto.repo.uploadBlob': {
        const mimeType = req.headers['content-type'] ?? 'application/octet-stream';
        const blob = { cid: cidOf(raw, 0x55), mimeType, size: raw.length };
        fake.blobs.push(blob);
        return {
          status: 200,
          body: { blob: { $type: 'blob', ref: { $link: blob.cid }, mimeType, size: blob.size } },
        };
      }
      case 'com.atproto.repo.createRecord':
      case 'com.atproto.repo.deleteRecord':
        return write(method, json());
    }
    return xrpcError(501, 'MethodNotImplemented', `Method Not Implemented: ${method}`);
  }

  function failureReply(failure: BlueskyFailure): Reply {
    switch (failure.kind) {
      case 'rate_limited': {
        const headers = {
          ...limitHeaders(hour),
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + (failure.seconds ?? 60)),
        };
        return xrpcError(429, 'RateLimitExceeded', 'Rate Limit Exceeded', headers);
      }
      case 'server_error':
        return xrpcError(failure.status ?? 500, 'InternalServerError', 'Internal Server Error');
      case 'expired_token':
        return xrpcError(400, 'ExpiredToken', 'Token has expired');
      case 'auth_required':
        return xrpcError(401, 'AuthenticationRequired', 'Authentication Required');
      default:
        return xrpcError(500, 'InternalServerError', 'Internal Server Error');
    }
  }

  function takeFailure(method: string): BlueskyFailure | null {
    for (const p of pending) {
      if (p.method && !method.includes(p.method)) continue;
      if (p.skip > 0) {
        p.skip--;
        continue;
      }
      if (--p.times <= 0) pending = pending.filter((q) => q !== p);
      return p.failure;
    }
    return null;
  }

  function send(res: http.ServerResponse, method: string, reply: Reply): void {
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      ...tightestHeaders(method),
      ...reply.headers,
    });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const method = url.pathname.replace(/^\/xrpc\//, '');
      fake.requests.push(method);
      if (renewed(global).left <= 0 && ++fake.rateLimitRefusals)
        return send(
          res,
          method,
          xrpcError(429, 'RateLimitExceeded', 'Rate Limit Exceeded', limitHeaders(global)),
        );
      global.left--;
      const failure = takeFailure(method);
      const run = () => handle(method, req, url.searchParams, Buffer.concat(chunks));
      if (failure?.kind === 'drop') return void req.socket.destroy();
      if (failure?.kind === 'drop_after_accept') {
        run();
        return void req.socket.destroy();
      }
      if (failure?.kind === 'slow') {
        const reply = run();
        return void setTimeout(() => !res.destroyed && send(res, method, reply), failure.delayMs);
      }
      send(res, method, failure ? failureReply(failure) : run());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
