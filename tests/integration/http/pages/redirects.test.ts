import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeNext } from '../../../../src/http/pages/login.js';
import { addUser, Client, csrfOf, PASSWORD, startWebApp, type WebApp } from '../../../helpers/web.js';

// `next` values an attacker would try after sign-in: every one must end on Herald's own origin, with a
// header value browsers cannot read as another host, and never a 5xx.
const EVIL = [
  '/\t/evil.example',
  '/%09/evil.example',
  '/\r\n/evil.example',
  '/\nSet-Cookie: x=1',
  '/%0d%0aSet-Cookie:%20x=1',
  '\\\\evil.example',
  '/\\evil.example',
  '\\/evil.example',
  '/%5Cevil.example',
  '//evil.example',
  '///evil.example',
  '////evil.example/x',
  ' //evil.example',
  '\u0000//evil.example',
  '\ufeff//evil.example',
  '/.//evil.example',
  '/./../evil.example',
  '/x/../..//evil.example',
  '/%2F%2Fevil.example',
  '%2F%2Fevil.example',
  '//%65vil.example',
  'https://evil.example/',
  'HTTPS://EVIL.EXAMPLE',
  'http:evil.example',
  'https:/evil.example',
  'https:\\\\evil.example',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '//evil.example@herald.example',
  '//evil\u3002example',
  '\u3002evil.example',
  '/\u2028evil',
  '/\u0085evil',
  '/\ud800',
  '/élan/日本',
  '/login?next=//evil.example',
  '#//evil.example',
  '?next=//evil.example',
  'x'.repeat(5_000),
];

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE = /[\u0000-\u0020\u007f-\uffff\\]/;

/** encodeURIComponent, except that a lone surrogate goes as the bytes a client would send. */
function query(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value
      .split('')
      .map((c) => (/[\ud800-\udfff]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c)))
      .join('');
  }
}

describe('redirect after sign-in', () => {
  let web: WebApp;
  let origin: string;
  let publicUrl: string;

  beforeAll(async () => {
    web = await startWebApp('sqlite');
    publicUrl = web.app.ctx.config.publicUrl;
    origin = new URL(publicUrl).origin;
    await addUser(web.app, 'admin@example.org', 'admin');
  });
  afterAll(async () => web?.close());

  /** The Location stays on our origin, and holds nothing a browser would drop or reinterpret. */
  function landsHome(location: string): boolean {
    if (!location.startsWith('/') || location.startsWith('//') || UNSAFE.test(location)) return false;
    return new URL(location, publicUrl).origin === origin;
  }

  it('keeps a path on this site, with its query and fragment; an absolute URL of this site becomes its path', () => {
    expect(safeNext('/items?status=published#list', publicUrl)).toBe('/items?status=published#list');
    expect(safeNext(`${publicUrl.replace(/\/+$/, '')}/newsletters`, publicUrl)).toBe('/newsletters');
    expect(safeNext('/élan', publicUrl)).toBe('/%C3%A9lan');
    expect(safeNext('/login', publicUrl)).toBe('/');
  });

  it('sends every hostile next home: on the sign-in form, after signing in, and when already signed in', async () => {
    const problems: string[] = [];
    for (const next of [...EVIL, `${publicUrl}.evil.example/`, `${origin}@evil.example/`]) {
      const client = new Client(web.http, '10.3.0.1');
      const shown = await client.get(`/login?next=${query(next)}`);
      if (shown.statusCode !== 200)
        problems.push(`GET /login with ${JSON.stringify(next)} -> ${shown.statusCode}`);
      const hidden = shown.body.match(/name="next" value="([^"]*)"/)?.[1] ?? '';
      if (hidden && !landsHome(hidden.replace(/&amp;/g, '&')))
        problems.push(`the form carries ${JSON.stringify(hidden)} for ${JSON.stringify(next)}`);
      const signIn = await client.post('/login', {
        _csrf: csrfOf(shown.body),
        email: 'admin@example.org',
        password: PASSWORD,
        next,
      });
      const location = String(signIn.headers.location ?? '');
      if (signIn.statusCode !== 303 || !landsHome(location))
        problems.push(
          `POST /login with ${JSON.stringify(next)} -> ${signIn.statusCode} ${JSON.stringify(location)}`,
        );
      const again = await client.get(`/login?next=${query(next)}`);
      const back = String(again.headers.location ?? '');
      if (again.statusCode !== 303 || !landsHome(back))
        problems.push(
          `GET /login signed in with ${JSON.stringify(next)} -> ${again.statusCode} ${JSON.stringify(back)}`,
        );
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('a raw newline or non-Latin-1 character in the query never gives a 5xx', async () => {
    for (const url of [
      '/login?next=/%0A/evil.example',
      '/login?next=/%E2%80%A8x',
      '/login?next=%',
      '/login?next=/%ZZ',
    ]) {
      const res = await web.http.inject({ method: 'GET', url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
    }
  });
});
