import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildServer } from '../../src/http/server.js';
import type { StaffRole } from '../../src/domain/staff.js';
import { createStaffUser } from '../../src/app/staff.js';
import { startTestApp, type TestApp } from './app.js';
import type { DialectUnderTest } from './databases.js';

export const TOKEN = 'test-token-0123456789abcdef';
export const PASSWORD = 'correct horse battery staple';

export interface WebApp {
  app: TestApp;
  http: FastifyInstance;
  close(): Promise<void>;
}

export async function startWebApp(
  dialect: DialectUnderTest,
  overrides: Record<string, unknown> = {},
): Promise<WebApp> {
  const app = await startTestApp(dialect, overrides);
  const http = await buildServer(app.ctx, { apiToken: TOKEN });
  return {
    app,
    http,
    async close() {
      await http.close();
      await app.close();
    },
  };
}

export async function addUser(
  app: TestApp,
  email: string,
  role: StaffRole,
  password = PASSWORD,
  memberId: string | null = null,
) {
  return createStaffUser(
    app.ctx.store,
    { email, role, password, name: email.split('@')[0], memberId },
    'test',
  );
}

/** The CSRF token a page carries (meta tag or hidden field). */
export function csrfOf(html: string): string {
  const match =
    html.match(/name="csrf-token" content="([^"]+)"/) ?? html.match(/name="_csrf" value="([^"]+)"/);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1]!;
}

/** A browser-like client over fastify.inject: keeps cookies, follows nothing by itself. */
export class Client {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly http: FastifyInstance,
    private readonly ip = '127.0.0.1',
  ) {}

  private remember(res: LightMyRequestResponse): void {
    for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired =
        c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() <= Date.now()) || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  cookieHeader(): string {
    // Stored decoded (as light-my-request parses them); sent encoded, as a browser sends them back.
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }

  async request(options: InjectOptions): Promise<LightMyRequestResponse> {
    const headers = { ...(options.headers ?? {}), cookie: this.cookieHeader() };
    const res = await this.http.inject({ remoteAddress: this.ip, ...options, headers });
    this.remember(res);
    return res;
  }

  get(url: string, headers: Record<string, string> = {}) {
    return this.request({ method: 'GET', url, headers });
  }

  post(url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form))
      for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return this.request({
      method: 'POST',
      url,
      payload: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }

  async signIn(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    const page = await this.get('/login');
    return this.post('/login', { _csrf: csrfOf(page.body), email, password, next: '/' });
  }

  /** The CSRF token of the signed-in session (from any page). */
  async csrf(): Promise<string> {
    return csrfOf((await this.get('/account')).body);
  }
}
