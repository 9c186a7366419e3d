import * as oauth from 'oauth4webapi';
import { HeraldError } from '../../domain/errors.js';

/** One platform's OAuth 2 authorization server and Herald's application on it. */
export interface OAuthServer {
  issuer: string;
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl?: string | undefined;
  clientId: string;
  clientSecret?: string | undefined;
  /** How the client secret is sent to the token endpoint. */
  clientAuth: 'basic' | 'post';
  scopes: string[];
  /** Plain-http endpoints (tests and intranets only: config allowPrivateUrls). */
  allowHttp: boolean;
}

/** Tokens from a completed authorization. */
export interface GrantedTokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
}

/** A connection that could not complete: plain words for the page, never a token. */
export class ConnectError extends HeraldError {
  constructor(message: string, code = 'connect_failed') {
    super(message, { code, httpStatus: 400 });
  }
}

const parts = (server: OAuthServer) => {
  const as: oauth.AuthorizationServer = {
    issuer: server.issuer,
    authorization_endpoint: server.authorizeUrl,
    token_endpoint: server.tokenUrl,
    ...(server.revokeUrl ? { revocation_endpoint: server.revokeUrl } : {}),
  };
  const client: oauth.Client = { client_id: server.clientId };
  const auth = !server.clientSecret
    ? oauth.None()
    : server.clientAuth === 'basic'
      ? oauth.ClientSecretBasic(server.clientSecret)
      : oauth.ClientSecretPost(server.clientSecret);
  return { as, client, auth, options: { [oauth.allowInsecureRequests]: server.allowHttp } };
};

/** A fresh `state` and PKCE verifier, to keep server-side until the callback. */
export function newAuthorization(): { state: string; verifier: string } {
  return { state: oauth.generateRandomState(), verifier: oauth.generateRandomCodeVerifier() };
}

/** Where to send the person to approve Herald (S256 PKCE). */
export async function authorizationUrl(
  server: OAuthServer,
  redirectUri: string,
  authorization: { state: string; verifier: string },
): Promise<string> {
  const url = new URL(server.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', server.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', server.scopes.join(' '));
  url.searchParams.set('state', authorization.state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(authorization.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  return url.href;
}

/** Checks the callback against the expected state and trades its code for tokens. */
export async function exchangeCode(
  server: OAuthServer,
  callback: URLSearchParams,
  expected: { state: string; verifier: string; redirectUri: string },
): Promise<GrantedTokens> {
  const { as, client, auth, options } = parts(server);
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, callback, expected.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError && error.error === 'access_denied')
      throw new ConnectError(
        'The connection was refused on the platform: nothing was stored.',
        'connect_denied',
      );
    throw new ConnectError(`The platform's answer was not valid: ${plainReason(error)}. Nothing was stored.`);
  }
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      auth,
      params,
      expected.redirectUri,
      expected.verifier,
      options,
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response);
    return {
      accessToken: result.access_token,
      refreshToken: result.refresh_token ?? null,
      expiresAt:
        typeof result.expires_in === 'number' ? new Date(Date.now() + result.expires_in * 1000) : null,
    };
  } catch (error) {
    throw new ConnectError(
      `The platform refused the authorization code: ${plainReason(error)}. Nothing was stored.`,
    );
  }
}

/** Revokes a token where the platform offers it; false when it has no revocation endpoint. */
export async function revokeToken(server: OAuthServer, token: string): Promise<boolean> {
  if (!server.revokeUrl) return false;
  const { as, client, auth, options } = parts(server);
  const response = await oauth.revocationRequest(as, client, auth, token, options);
  await oauth.processRevocationResponse(response);
  return true;
}

/** The OAuth error code or the library's words; never the request (it carries the code and verifier). */
function plainReason(error: unknown): string {
  if (error instanceof oauth.ResponseBodyError || error instanceof oauth.AuthorizationResponseError)
    return error.error;
  if (error instanceof oauth.OperationProcessingError) return error.message;
  return error instanceof Error ? error.name : 'unknown error';
}
