import { createHash } from 'node:crypto';
import { atproto } from './library.js';
import { z } from 'zod';
import { decryptSecret, encryptSecret, type SecretBlobs } from '../secrets.js';
import type { BlueskyCredentials } from './credentials.js';
import { BlueskyRateLimits, xrpcMethod } from './rate-limit.js';

/** What createSession and refreshSession give, plus which credentials it came from. */
export interface StoredSession {
  did: string;
  handle: string;
  accessJwt: string;
  refreshJwt: string;
  /** A hash of the identifier and app password: a session of other credentials is not reused. */
  login: string;
}

/** Where an account's session lives between processes (encrypted at rest). */
export interface SessionStore {
  load(accountId: string): Promise<StoredSession | null>;
  save(accountId: string, session: StoredSession): Promise<void>;
}

export type WithLock = <T>(key: string, run: () => Promise<T>) => Promise<T>;

const storedSchema = z.object({
  did: z.string(),
  handle: z.string(),
  accessJwt: z.string(),
  refreshJwt: z.string(),
  login: z.string(),
});
const answerSchema = z.object({
  did: z.string().min(1),
  handle: z.string(),
  accessJwt: z.string().min(1),
  refreshJwt: z.string().min(1),
});

/** Sessions kept encrypted in `blobs` (the account row's credentials column). */
export function encryptedSessionStore(blobs: SecretBlobs, key: Buffer): SessionStore {
  return {
    async load(accountId) {
      const blob = await blobs.load(accountId);
      if (!blob) return null;
      const parsed = storedSchema.safeParse(JSON.parse(decryptSecret(blob, key)));
      return parsed.success ? parsed.data : null;
    },
    save: (accountId, session) => blobs.save(accountId, encryptSecret(JSON.stringify(session), key)),
  };
}

/** A SessionStore in memory (tests). */
export function memorySessionStore(): SessionStore {
  const sessions = new Map<string, StoredSession>();
  return {
    load: async (accountId) => sessions.get(accountId) ?? null,
    save: async (accountId, session) => void sessions.set(accountId, { ...session }),
  };
}

export interface SessionOptions {
  accountId: string;
  credentials: BlueskyCredentials;
  /** The PDS, e.g. https://bsky.social */
  service: string;
  store: SessionStore;
  withLock?: WithLock | undefined;
  timeoutMs: number;
  now?: (() => Date) | undefined;
}

async function errorBody(response: Response): Promise<{ error?: string; message?: string }> {
  try {
    return (await response.clone().json()) as { error?: string; message?: string };
  } catch {
    return {};
  }
}

async function isExpiredToken(response: Response): Promise<boolean> {
  if (response.status !== 400 && response.status !== 401) return false;
  return (await errorBody(response)).error === 'ExpiredToken';
}

function headersOf(response: Response): Record<string, string> {
  return Object.fromEntries(response.headers.entries());
}

/**
 * One account's session, shared by every call of this process, for @atproto/api's Agent. createSession is
 * limited (30 per 5 minutes, 300 per day), so Herald signs in only when no stored session of these
 * credentials exists or its refresh token is refused; an expired access token is renewed with refreshSession.
 * Signing in and refreshing run under a lock across processes, and the result is stored before it is used,
 * so that other processes take the stored session instead of spending the rotated refresh token again.
 */
export class BlueskySession {
  private session: StoredSession | null = null;
  private pending: Promise<StoredSession> | null = null;
  private readonly login: string;
  private readonly limits: BlueskyRateLimits;

  constructor(private readonly options: SessionOptions) {
    this.limits = new BlueskyRateLimits(options.now ?? (() => new Date()));
    const { identifier, appPassword } = options.credentials;
    this.login = createHash('sha256').update(`${identifier}\u0000${appPassword}`).digest('base64url');
  }

  get did(): string | undefined {
    return this.session?.did;
  }

  /** Every secret this session may have used, for redaction. */
  secrets(): string[] {
    const s = this.session;
    return [this.options.credentials.appPassword, ...(s ? [s.accessJwt, s.refreshJwt] : [])];
  }

  /** The current session: this process's, else the stored one, else a new sign-in. */
  current(): Promise<StoredSession> {
    if (this.session) return Promise.resolve(this.session);
    return this.once(
      async () => (await this.stored()) ?? this.locked(async () => (await this.stored()) ?? this.signIn()),
    );
  }

  /** Replaces the session whose access token was `staleAccessJwt` (refused as expired). */
  renew(staleAccessJwt: string): Promise<StoredSession> {
    return this.once(() =>
      this.locked(async () => {
        const stored = await this.stored();
        if (stored && stored.accessJwt !== staleAccessJwt) return stored; // another process renewed it
        const base = stored ?? this.session;
        if (!base) return this.signIn();
        try {
          return await this.keep(await this.call('com.atproto.server.refreshSession', base.refreshJwt));
        } catch (error) {
          const refused =
            error instanceof atproto().XRPCError && ['ExpiredToken', 'InvalidToken'].includes(error.error);
          if (!refused) throw error;
          return this.signIn(); // the refresh token ran out (about two months) or was revoked
        }
      }),
    );
  }

  async fetchHandler(url: string, init: RequestInit): Promise<Response> {
    const session = await this.current();
    const response = await this.send(url, init, session.accessJwt);
    if (!(await isExpiredToken(response))) return response;
    // ExpiredToken is a refusal: the request did nothing, so sending it again cannot post twice.
    const renewed = await this.renew(session.accessJwt);
    return this.send(url, init, renewed.accessJwt);
  }

  private send(url: string, init: RequestInit, accessJwt: string): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${accessJwt}`);
    return this.fetchCounted(new URL(url, this.options.service), { ...init, headers });
  }

  /** One request, not sent when the PDS's last answers say it would be refused; its answer's limits are kept. */
  private async fetchCounted(url: URL, init: RequestInit): Promise<Response> {
    const method = xrpcMethod(url.href);
    this.limits.check(method);
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs) });
    this.limits.record(method, response.headers);
    return response;
  }

  private async stored(): Promise<StoredSession | null> {
    const stored = await this.options.store.load(this.options.accountId);
    if (!stored || stored.login !== this.login) return null;
    return (this.session = stored);
  }

  private signIn(): Promise<StoredSession> {
    const { identifier, appPassword } = this.options.credentials;
    return this.call('com.atproto.server.createSession', null, { identifier, password: appPassword }).then(
      (answer) => this.keep(answer),
    );
  }

  private async keep(answer: z.infer<typeof answerSchema>): Promise<StoredSession> {
    const session: StoredSession = { ...answer, login: this.login };
    await this.options.store.save(this.options.accountId, session);
    return (this.session = session);
  }

  /** createSession (with a body) or refreshSession (with the refresh token), outside the Agent. */
  private async call(
    method: string,
    bearer: string | null,
    body?: Record<string, string>,
  ): Promise<z.infer<typeof answerSchema>> {
    const headers: Record<string, string> = {};
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body) headers['content-type'] = 'application/json';
    const response = await this.fetchCounted(new URL(`/xrpc/${method}`, this.options.service), {
      method: 'POST',
      headers,
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) {
      const { error, message } = await errorBody(response);
      throw new (atproto().XRPCError)(response.status, error, message, headersOf(response));
    }
    const parsed = answerSchema.safeParse(await response.json());
    if (!parsed.success)
      throw new (atproto().XRPCError)(502, 'InvalidResponse', `${method} answered without a session`);
    return parsed.data;
  }

  private locked<T>(run: () => Promise<T>): Promise<T> {
    const lock = this.options.withLock;
    return lock ? lock(`bluesky:${this.options.accountId}`, run) : run();
  }

  private once(run: () => Promise<StoredSession>): Promise<StoredSession> {
    this.pending ??= run().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }
}
