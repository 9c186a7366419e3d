// A fake OAuth 2 authorization server for tests (RFC 6749 + PKCE RFC 7636 + revocation RFC 7009): authorize
// (consent given or denied by a switch), token (authorization_code with the PKCE check, one use per code;
// refresh_token), revoke, and Mastodon's app registration (POST /api/v1/apps). A platform fake mounts it
// (`handle`) or it runs on its own server (`startFakeOAuthServer`).
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OAuthReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TokenGrant {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
}

interface Client {
  secret: string;
  redirectUris: string[];
}

interface Code {
  clientId: string;
  redirectUri: string;
  challenge: string;
  used: boolean;
  /** Tokens handed out for it, revoked if the code is presented again (RFC 6749 §4.1.2). */
  tokens: string[];
}

export interface FakeOAuthOptions {
  paths: { authorize: string; token: string; revoke: string; register?: string };
  /** The tokens a completed authorization gives: the platform fake's own account tokens. */
  grant: () => TokenGrant;
  /** Pre-registered clients (X's app from the developer portal). */
  clients?: Record<string, Client>;
}

export interface FakeOAuth {
  /** What the person answers on the consent screen. */
  consent: 'allow' | 'deny';
  clients: Map<string, Client>;
  registrations: number;
  /** Token requests, by grant type and outcome, e.g. "authorization_code ok", "authorization_code invalid_grant". */
  tokenRequests: string[];
  revoked: string[];
  handle(
    method: string,
    path: string,
    query: URLSearchParams,
    raw: Buffer,
    headers: http.IncomingHttpHeaders,
  ): OAuthReply | null;
}

const random = () => randomBytes(16).toString('base64url');
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const oauthError = (error: string, status = 400): OAuthReply => ({
  status,
  body: { error, error_description: `fake: ${error}` },
});

function formOrJson(raw: Buffer, headers: http.IncomingHttpHeaders): Record<string, string> {
  const text = raw.toString('utf8');
  if ((headers['content-type'] ?? '').includes('json'))
    return JSON.parse(text || '{}') as Record<string, string>;
  return Object.fromEntries(new URLSearchParams(text));
}

export function fakeOAuth(options: FakeOAuthOptions): FakeOAuth {
  const codes = new Map<string, Code>();
  const refreshTokens = new Set<string>();
  const fake: FakeOAuth = {
    consent: 'allow',
    clients: new Map(Object.entries(options.clients ?? {})),
    registrations: 0,
    tokenRequests: [],
    revoked: [],
    handle(method, path, query, raw, headers) {
      if (method === 'GET' && path === options.paths.authorize) return authorize(query);
      if (method === 'POST' && path === options.paths.token) return token(formOrJson(raw, headers), headers);
      if (method === 'POST' && path === options.paths.revoke) return revoke(formOrJson(raw, headers));
      if (method === 'POST' && path === options.paths.register) return register(formOrJson(raw, headers));
      return null;
    },
  };

  function authorize(query: URLSearchParams): OAuthReply {
    const client = fake.clients.get(query.get('client_id') ?? '');
    const redirectUri = query.get('redirect_uri') ?? '';
    // An unknown client or address gets a page, never a redirect (RFC 6749 §4.1.2.1).
    if (!client || !client.redirectUris.includes(redirectUri))
      return { status: 400, body: 'invalid client or redirect_uri' };
    const back = new URL(redirectUri);
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const challenge = query.get('code_challenge');
    if (query.get('response_type') !== 'code' || !challenge || query.get('code_challenge_method') !== 'S256')
      back.searchParams.set('error', 'invalid_request');
    else if (fake.consent === 'deny') back.searchParams.set('error', 'access_denied');
    else {
      const code = random();
      codes.set(code, { clientId: query.get('client_id')!, redirectUri, challenge, used: false, tokens: [] });
      back.searchParams.set('code', code);
    }
    return { status: 302, headers: { location: back.href } };
  }

  function clientOf(body: Record<string, string>, headers: http.IncomingHttpHeaders): string | null {
    const basic = /^Basic (.+)$/.exec(headers.authorization ?? '')?.[1];
    const [id, secret] = basic
      ? Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent)
      : [body.client_id, body.client_secret];
    const client = fake.clients.get(id ?? '');
    return client && client.secret === secret ? id! : null;
  }

  function token(body: Record<string, string>, headers: http.IncomingHttpHeaders): OAuthReply {
    const clientId = clientOf(body, headers);
    const answer = (outcome: string, reply: OAuthReply) => {
      fake.tokenRequests.push(`${body.grant_type} ${outcome}`);
      return reply;
    };
    if (!clientId) return answer('invalid_client', oauthError('invalid_client', 401));
    if (body.grant_type === 'refresh_token') {
      if (!refreshTokens.delete(body.refresh_token ?? ''))
        return answer('invalid_grant', oauthError('invalid_grant'));
      return answer('ok', issue());
    }
    if (body.grant_type !== 'authorization_code')
      return answer('unsupported', oauthError('unsupported_grant_type'));
    const code = codes.get(body.code ?? '');
    if (!code || code.clientId !== clientId || code.redirectUri !== body.redirect_uri)
      return answer('invalid_grant', oauthError('invalid_grant'));
    if (code.used) {
      fake.revoked.push(...code.tokens);
      return answer('invalid_grant', oauthError('invalid_grant'));
    }
    code.used = true;
    if (s256(body.code_verifier ?? '') !== code.challenge)
      return answer('invalid_grant', oauthError('invalid_grant'));
    const reply = issue();
    code.tokens.push((reply.body as TokenGrant).access_token);
    return answer('ok', reply);
  }

  function issue(): OAuthReply {
    const grant = options.grant();
    if (grant.refresh_token) refreshTokens.add(grant.refresh_token);
    return { status: 200, body: { token_type: 'bearer', ...grant } };
  }

  function revoke(body: Record<string, string>): OAuthReply {
    if (body.token) fake.revoked.push(body.token);
    return { status: 200, body: {} };
  }

  function register(body: Record<string, string>): OAuthReply {
    if (!body.client_name || !body.redirect_uris)
      return { status: 422, body: { error: 'Validation failed' } };
    const id = random();
    const secret = random();
    fake.clients.set(id, { secret, redirectUris: String(body.redirect_uris).split(/\s+/) });
    fake.registrations++;
    return {
      status: 200,
      body: { id: String(fake.registrations), name: body.client_name, client_id: id, client_secret: secret },
    };
  }

  return fake;
}

/** The fake on a server of its own (X's authorize and token hosts). */
export async function startFakeOAuthServer(
  oauth: FakeOAuth,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const reply = oauth.handle(
        req.method ?? 'GET',
        url.pathname,
        url.searchParams,
        Buffer.concat(chunks),
        req.headers,
      ) ?? {
        status: 404,
        body: { error: 'not_found' },
      };
      const text =
        typeof reply.body === 'string'
          ? reply.body
          : reply.body === undefined
            ? ''
            : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json',
        ...reply.headers,
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
