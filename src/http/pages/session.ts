import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../store/db.js';
import type { StaffUser } from '../../domain/staff.js';
import {
  createSession,
  deleteSession,
  findSession,
  touchSession,
  type StaffSession,
} from '../../store/users.js';

export const SESSION_COOKIE = 'herald_session';

export interface SessionSettings {
  ttlMs: number;
  idleMs: number;
  secureCookies: 'auto' | 'always' | 'never';
  /** The public address is https: cookies are Secure even if a proxy forgot X-Forwarded-Proto. */
  publicHttps: boolean;
}

export interface SignedIn {
  user: StaffUser;
  session: StaffSession;
}

/** Writing last_seen_at at most this often keeps busy pages from writing on every request. */
const TOUCH_EVERY_MS = 60_000;

/** Sessions kept in the database, named by a signed, HttpOnly, SameSite=Lax cookie. */
export class Sessions {
  constructor(
    private readonly store: Store,
    readonly settings: SessionSettings,
  ) {}

  cookieOptions(request: FastifyRequest): CookieSerializeOptions {
    const secure =
      this.settings.secureCookies === 'always' ||
      (this.settings.secureCookies === 'auto' && (request.protocol === 'https' || this.settings.publicHttps));
    return { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true };
  }

  /** The signed-in user for this request (cached on the request), or null. */
  async load(request: FastifyRequest): Promise<SignedIn | null> {
    if (request.signedIn !== undefined) return request.signedIn;
    request.signedIn = await this.lookup(request);
    return request.signedIn;
  }

  private async lookup(request: FastifyRequest): Promise<SignedIn | null> {
    const raw = request.cookies[SESSION_COOKIE];
    if (!raw) return null;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid || !unsigned.value) return null;
    const found = await findSession(this.store.db, unsigned.value);
    if (!found) return null;
    const now = Date.now();
    const idle = now - Date.parse(found.session.lastSeenAt);
    if (idle > this.settings.idleMs) {
      await deleteSession(this.store.db, found.session.id);
      return null;
    }
    if (idle > TOUCH_EVERY_MS)
      await touchSession(this.store.db, found.session.id, new Date(now).toISOString());
    return found;
  }

  async start(request: FastifyRequest, reply: FastifyReply, user: StaffUser): Promise<SignedIn> {
    const { token, session } = await createSession(this.store.db, user.id, {
      ttlMs: this.settings.ttlMs,
      ip: request.ip ?? null,
      userAgent: request.headers['user-agent'] ?? null,
    });
    reply.setCookie(SESSION_COOKIE, token, {
      ...this.cookieOptions(request),
      maxAge: Math.floor(this.settings.ttlMs / 1000),
    });
    request.signedIn = { user, session };
    return request.signedIn;
  }

  async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const current = await this.load(request);
    if (current) await deleteSession(this.store.db, current.session.id);
    reply.clearCookie(SESSION_COOKIE, { ...this.cookieOptions(request), signed: false });
    request.signedIn = null;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** undefined until looked up; null when nobody is signed in. */
    signedIn: SignedIn | null | undefined;
  }
}
