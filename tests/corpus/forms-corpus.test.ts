import { channel } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { isStaffPermission } from '../../src/domain/permissions.js';
import { buildServer } from '../../src/http/server.js';
import { newsletterSettings } from '../../src/newsletter/settings.js';
import { createNewsletter } from '../../src/newsletter/staff-tools.js';
import { signToken } from '../../src/newsletter/unsubscribe-token.js';
import { findContactByEmail } from '../../src/store/members.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import {
  contactEmail,
  newsletterOverrides,
  publishedItem,
  seedContacts,
  TOKEN_KEY,
} from '../helpers/newsletter.js';
import { addUser, Client, csrfOf, PASSWORD, TOKEN } from '../helpers/web.js';
import {
  IDS,
  JS_TEMPLATE,
  SQL_INJECTION,
  SSRF_URLS,
  TEMPLATE_INJECTION,
  UNICODE_EDGES,
  snapshot,
} from '../helpers/corpus-payloads.js';

// Bad input thrown at every staff page route and every public route the OpenAPI document does not list
// (read from the server itself, so a new route is covered without editing this file). Nothing may answer
// 5xx, leak a secret or redirect off-site; a rejected request (4xx, or a redirect that carries an error
// message or goes to the sign-in page) must leave every table exactly as it was. Failed sign-ins are
// counted in Redis, not SQL, so they too must leave the database alone.

type Route = { method: string; url: string };
type Body = [name: string, payload: string | Buffer, contentType: string];

const FORM = 'application/x-www-form-urlencoded';
const FIELDS = [
  'title',
  'summary',
  'body',
  'url',
  'imageUrl',
  'imageAlt',
  'tags',
  'language',
  'slug',
  'publishAt',
  'timezone',
  'channels',
  'channelsShown',
  'action',
  'announce',
  'deletePosts',
  'email',
  'name',
  'password',
  'currentPassword',
  'newPassword',
  'confirmPassword',
  'role',
  'disabled',
  'csv',
  'dryRun',
  'subject',
  'kind',
  'itemIds',
  'to',
  'status',
  'back',
  'next',
  'announcements',
  'digest',
  'tr.0.language',
  'tr.0.title',
  'text.twitter',
];
const HUGE = 'x'.repeat(2 * 1024 * 1024); // over the 1 MB body limit
const HUGE_CSV = 'a,'.repeat(5.5 * 1024 * 1024); // over the import's 10 MB
const GARBAGE = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
const CSV_HEAD = 'authority,country,name,email,language';
const CSV_CASES: Record<string, string> = {
  'binary garbage': GARBAGE.toString('latin1'),
  'BOM and formulas': `\ufeff${CSV_HEAD}\n=cmd|' /C calc'!A0,FR,@SUM(1+1),formula1@example.org,en\n-2+3,FR,"=HYPERLINK(""http://169.254.169.254"")",+formula2@example.org,fr\n`,
  'unterminated quote and NUL': `${CSV_HEAD}\n"open,FR,\u0000,x@example.org,en\n`,
};
const QUERIES = [
  `?q=${encodeURIComponent(SQL_INJECTION)}&status=%00&page=-1&language=..%2F..&contact=..%2Fx&width=%E2%80%AE&next=%2F%2Fevil.example`,
  `?page=99999999999999999999&q=${'x'.repeat(5000)}&status[]=a&status=b&__proto__[x]=1&next=/%5Cevil.example`,
];
const CONDITIONAL: Array<Record<string, string>> = [
  { 'if-none-match': 'garbage' },
  { 'if-none-match': `*, W/"", "${'x'.repeat(4000)}` },
  { 'if-modified-since': 'not a date' },
  { 'if-modified-since': 'Sat, 01 Jan 275760 00:00:00 GMT', 'if-none-match': '""' },
  { 'if-modified-since': '-1' },
];

const encode = (fields: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) p.append(k, one);
  return p.toString();
};
const every = (value: string | string[]) => Object.fromEntries(FIELDS.map((f) => [f, value]));
const unsafe = (r: Route) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method);
const fill = (url: string, id: (param: string) => string) =>
  url.replace(/:(\w+)|\*/g, (_m, p: string | undefined) => id(p ?? '*'));

function bodies(csrf: string): Body[] {
  const form = (fields: Record<string, string | string[]>) => encode({ _csrf: csrf, ...fields });
  const t = `_csrf=${encodeURIComponent(csrf)}`;
  const part = (name: string, extra = '') =>
    `--corpus\r\ncontent-disposition: form-data; name="${name}"${extra}\r\n\r\n`;
  const multipart = Buffer.concat([
    Buffer.from(`${part('_csrf')}${csrf}\r\n${part('csv', '; filename="../../etc/passwd.csv"')}`),
    GARBAGE,
    Buffer.from('\r\n--corpus--\r\n'),
  ]);
  return [
    ['SQL injection', form(every(SQL_INJECTION)), FORM],
    ['template injection', form({ ...every(TEMPLATE_INJECTION), summary: JS_TEMPLATE }), FORM],
    ['unicode edge cases', form(every(UNICODE_EDGES)), FORM],
    [
      'invalid UTF-8 (overlong, lone surrogate, NUL)',
      `${t}&title=%C0%AE%C0%AE%2F&email=%ED%A0%80%40x.org&name=%00%E2%80%AE&csv=%FF%FE&timezone=%00`,
      FORM,
    ],
    ['malformed encoding', `${t}&title=%ZZ%&&==&url=%&email=a=b=c&%E2%82`, FORM],
    ['wrong types', `${form(every(['1', 'two']))}&title[0]=x&tags[a]=1&channels[]=x`, FORM],
    [
      'prototype pollution',
      `${t}&__proto__=x&__proto__[admin]=1&constructor[prototype][x]=1&text.__proto__=x&tr.__proto__.language=x&tr.19.language=fr`,
      FORM,
    ],
    // Internal addresses in every URL field. Herald itself fetches only an item's image (Twitter adapter): that is
    // where an address must be checked, as a name like 127.0.0.1.nip.io or a redirect hides it from the form.
    ...SSRF_URLS.map((u): Body => [
      `SSRF ${u}`,
      form({
        title: 'SSRF probe',
        summary: 'probe',
        url: u,
        imageUrl: u,
        imageAlt: 'probe',
        language: 'en',
        to: u,
        back: u,
        next: u,
      }),
      FORM,
    ]),
    ['huge body', `${t}&title=${HUGE}`, FORM],
    ['huge CSV', `${t}&csv=${HUGE_CSV}`, FORM],
    ...Object.entries(CSV_CASES).flatMap(([name, csv]): Body[] => [
      [`CSV ${name}`, form({ csv }), FORM],
      [`CSV ${name}, dry run`, form({ csv, dryRun: 'on' }), FORM],
    ]),
    [
      'JSON with wrong types',
      JSON.stringify({
        _csrf: csrf,
        title: 1,
        url: [],
        tags: { a: 1 },
        csv: 7,
        email: null,
        itemIds: 'x',
        publishAt: {},
        role: ['admin'],
        name: UNICODE_EDGES,
        status: '\u0000',
        queueStatus: '\u0000',
      }),
      'application/json',
    ],
    ['text/plain', `${t}&title=x`, 'text/plain'],
    ['multipart file upload', multipart, 'multipart/form-data; boundary=corpus'],
    ['empty body', '', FORM],
  ];
}

/** Builds the server, noting every route it registers (a hook on fastify's own start-up channel). */
async function buildCollecting(app: TestApp): Promise<{ http: FastifyInstance; routes: Route[] }> {
  const found = new Map<string, Route>();
  const init = channel('fastify.initialization');
  const onInit = (message: unknown) =>
    (message as { fastify: FastifyInstance }).fastify.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) found.set(`${method} ${r.url}`, { method, url: r.url });
    });
  init.subscribe(onInit);
  try {
    const http = await buildServer(app.ctx, { apiToken: TOKEN });
    // The API has its own corpus (api-corpus.test.ts); static files take no input.
    const routes = [...found.values()].filter(
      (r) => r.method !== 'HEAD' && !r.url.startsWith('/api/') && !r.url.includes('/static/'),
    );
    return { http, routes };
  } finally {
    init.unsubscribe(onInit);
  }
}

describe('bad-input corpus over the staff pages and the public routes', () => {
  let app: TestApp;
  let http: FastifyInstance;
  let routes: Route[];
  let ids: Record<string, string>;
  let admin: Client;
  let visitor: Client;

  beforeAll(async () => {
    app = await startTestApp('sqlite', newsletterOverrides(null));
    ({ http, routes } = await buildCollecting(app));
    const db = app.ctx.store.db;
    await addUser(app, 'admin@example.org', 'admin');
    const other = await addUser(app, 'other@example.org', 'editor');
    await seedContacts(app, 3);
    const itemId = await publishedItem(app, 1);
    const contactId = (await findContactByEmail(db, contactEmail(0)))!.id;
    const leaver = (await findContactByEmail(db, contactEmail(1)))!.id;
    const newsletterId = (
      await createNewsletter(app.ctx, { kind: 'announcement', itemIds: [itemId] }, 'test')
    ).id;
    const key = newsletterSettings(app.ctx.config).tokenKeys[0]!;
    ids = {
      '/items/': itemId,
      '/deliveries/': (await db.selectFrom('deliveries').select('id').executeTakeFirstOrThrow()).id,
      '/members/contacts/': contactId,
      '/newsletters/': newsletterId,
      '/users/': other.id,
      '/u/': signToken({ purpose: 'unsubscribe', contactId: leaver }, key),
      '/p/': signToken({ purpose: 'preferences', contactId }, key),
      '/w/': signToken({ purpose: 'web', contactId, newsletterId }, key),
      '/feeds/': 'tag/climate/rss.xml',
      queueName: 'publish',
    };
    admin = new Client(http, '10.9.0.1');
    visitor = new Client(http, '10.9.0.2');
    expect((await admin.signIn('admin@example.org')).statusCode).toBe(303);
    await http.inject({ method: 'GET', url: '/feed.xml' }); // the first request builds the feeds: not part of the corpus
  });
  afterAll(async () => {
    await http?.close();
    await app?.close();
  });

  it('never answers 5xx, leaks or redirects away, and changes nothing when it rejects', async () => {
    const db = app.ctx.store.db;
    // A session's last_seen_at is written on a read (at most once a minute): not a change made by a request's input.
    const snap = () => snapshot(db, undefined, { staff_sessions: ['lastSeenAt'] });
    const declared = new Map(http.declaredRoutes.map((r) => [`${r.method} ${r.url}`, r.permission]));
    const isStaff = (r: Route) => isStaffPermission(declared.get(`${r.method} ${r.url}`));
    const isBoard = (r: Route) => r.url.startsWith('/admin/queues');
    const real = (r: Route) =>
      fill(
        r.url,
        (param) =>
          ids[param] ?? Object.entries(ids).find(([prefix]) => r.url.startsWith(prefix))?.[1] ?? 'latest',
      );
    const csrf = await admin.csrf();
    const secrets = [
      TOKEN,
      PASSWORD,
      TOKEN_KEY,
      app.ctx.config.secretKey,
      admin.cookies.get('herald_session'),
    ].filter((s): s is string => Boolean(s));
    const problems: string[] = [];
    const covered = new Set<string>();
    let tried = 0;
    let serverErrors = 0;
    let changes = 0;
    let last = await snap();

    async function hit(
      route: Route,
      options: InjectOptions,
      how: { label: string; as?: Client; expect?: number | 'reject'; form?: boolean },
    ) {
      tried++;
      covered.add(`${route.method} ${route.url}`);
      const what = `${how.label}: ${options.method} ${String(options.url).slice(0, 100)}`;
      let res: LightMyRequestResponse;
      try {
        res = how.as ? await how.as.request(options) : await http.inject(options);
      } catch (error) {
        problems.push(`${what} -> the request failed: ${(error as Error).message}`);
        return;
      }
      const now = await snap();
      const changed = now !== last;
      last = now;
      const location = String(res.headers.location ?? '');
      const flash =
        (res.cookies as Array<{ name: string; value: string }>).find((c) => c.name === 'herald_flash')
          ?.value ?? '';
      const rejected =
        res.statusCode >= 400 ||
        (res.statusCode >= 300 && (flash.includes('"kind":"error"') || location.startsWith('/login')));
      if (res.statusCode >= 500) problems.push(`${what} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
      if (res.statusCode >= 500) serverErrors++;
      if (rejected && changed) problems.push(`${what} -> ${res.statusCode}, yet the database changed`);
      if (rejected && changed) changes++;
      if (how.expect === 'reject' && !rejected) problems.push(`${what} -> ${res.statusCode}: accepted`);
      if (typeof how.expect === 'number' && res.statusCode !== how.expect)
        problems.push(`${what} -> ${res.statusCode}, expected ${how.expect}`);
      if (how.as === admin && isStaff(route) && (res.statusCode === 401 || location.startsWith('/login')))
        problems.push(`${what} -> the admin was signed out`);
      if (location && !/^\/(?![/\\])/.test(location))
        problems.push(`${what} -> redirects away, to ${location}`);
      if (secrets.some((s) => res.body.includes(s))) problems.push(`${what} -> a secret in the answer`);
      // A staff form that refuses its fields shows them again with the problem named (as the pages do: 400, 401, 409).
      if (
        how.form &&
        [400, 401, 409].includes(res.statusCode) &&
        !/aria-invalid="true"|role="alert"|class="problems"|has-error/.test(res.body)
      )
        problems.push(`${what} -> ${res.statusCode} names no error`);
    }

    /** A harmless body of the kind the route reads (the queue board takes JSON). */
    const plain = (r: Route, token?: string) =>
      isBoard(r)
        ? { payload: '{}', type: 'application/json' }
        : { payload: encode({ ...every('x'), ...(token ? { _csrf: token } : {}) }), type: FORM };
    const loginToken = async () => csrfOf((await visitor.get('/login')).body);
    const count = bodies(csrf).length;
    for (const r of routes) {
      const url = real(r);
      const method = r.method as InjectOptions['method'];
      const login = r.url === '/login';
      const as = isStaff(r) ? admin : login ? visitor : undefined;
      const board = isBoard(r) ? { 'sec-fetch-site': 'same-origin' } : {};
      // (a) bad field values (signed in, right CSRF token); bad queries and garbage conditional headers on GET.
      for (let i = 0; unsafe(r) && r.url !== '/logout' && i < count; i++) {
        const [name, payload, type] = bodies(login ? await loginToken() : csrf)[i]!; // each sign-in answer issues a new form token
        await hit(
          r,
          { method, url, payload, headers: { ...board, 'content-type': type } },
          {
            label: name,
            as,
            form: as !== undefined && !isBoard(r),
            ...(login ? { expect: 'reject' as const } : {}),
          },
        );
      }
      for (const query of unsafe(r) ? [] : QUERIES) {
        await hit(
          r,
          { method, url: url + query, headers: board },
          { label: 'bad query', as: login ? admin : as },
        );
        if (login)
          await hit(r, { method, url: url + query }, { label: 'bad query, signed out', as: visitor });
      }
      for (const headers of unsafe(r) || as ? [] : CONDITIONAL)
        await hit(r, { method, url, headers }, { label: 'garbage conditional headers' });
      // (b) a write without the CSRF token, or with a wrong one: 403 (the queue board takes no writes at all: 405).
      for (const token of unsafe(r) && as ? [null, 'forged-token'] : []) {
        const { payload, type } = plain(r, token ?? undefined);
        const headers = {
          'content-type': type,
          ...(isBoard(r) && token ? { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } : {}),
        };
        await hit(
          r,
          { method, url, payload, headers },
          { label: `CSRF token ${token ?? 'missing'}`, as, expect: isBoard(r) ? 405 : 403 },
        );
      }
      // (c) signed out, or with a forged session cookie: a redirect to the sign-in page (GET) or 401.
      for (const cookie of isStaff(r) ? ['', 'herald_session=forged.c2lnbmF0dXJl'] : []) {
        const { payload, type } = plain(r);
        const options = {
          method,
          url,
          headers: { 'content-type': type, ...(cookie ? { cookie } : {}) },
          ...(unsafe(r) ? { payload } : {}),
        };
        await hit(r, options, {
          label: cookie ? 'forged session' : 'signed out',
          expect: r.method === 'GET' ? 'reject' : 401,
        });
      }
      // (d) ids in the path: traversal, NUL, injection, unicode; tampered and cross-purpose newsletter tokens.
      const token = ids[`/${r.url.split('/')[1]}/`] ?? '';
      const forged = /^\/[upw]\//.test(r.url)
        ? [
            token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'),
            ids[r.url.startsWith('/u/') ? '/p/' : '/u/']!,
            `${token}/../x`,
            'eyJwIjoidW5zdWJzY3JpYmUiLCJjIjoiY3RjXzEifQ.AAAA',
          ]
        : [];
      const { payload, type } = plain(r, csrf);
      for (const id of /[:*]/.test(r.url) ? [...IDS, ...forged] : []) {
        const options = {
          method,
          url: fill(r.url, () => id),
          headers: { ...board, 'content-type': type },
          ...(unsafe(r) ? { payload } : {}),
        };
        await hit(r, options, {
          label: 'bad id',
          as: isStaff(r) ? admin : undefined,
          ...(isBoard(r) && !unsafe(r) ? {} : { expect: 'reject' as const }),
        }); // the board's own page takes any queue name
      }
    }

    // A spreadsheet must not run what an imported cell says (the CSV cases above imported formula cells).
    const exported = (await admin.get('/members/export')).body;
    if (!exported.includes('formula1@example.org') || /(^|[,;])"?[=+\-@]/m.test(exported))
      problems.push(
        `the contact export is missing the imported formula row or starts a cell with a formula:\n${exported}`,
      );
    console.log(
      `forms corpus: ${tried} requests over ${covered.size} routes, ${serverErrors} server errors, ${changes} changes after a rejection`,
    );
    expect(covered.size).toBe(routes.length);
    expect(problems).toEqual([]);
  }, 120_000);
});
