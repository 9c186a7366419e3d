import type { LightMyRequestResponse } from 'fastify';
import { createAuthority } from '../../src/app/members.js';
import { CSRF_HEADER } from '../../src/http/pages/csrf.js';
import type { StaffRole } from '../../src/domain/staff.js';
import { addUser, Client, type WebApp } from './web.js';

/** A signed-in person calling the JSON API with their session (and its CSRF token on writes). */
export interface ApiCaller {
  email: string;
  client: Client;
  call(method: string, url: string, body?: unknown): Promise<LightMyRequestResponse>;
}

let lastIp = 0;

export async function signedInCaller(
  web: WebApp,
  email: string,
  role: StaffRole,
  memberId: string | null = null,
): Promise<ApiCaller> {
  await addUser(web.app, email, role, undefined, memberId);
  lastIp += 1;
  const client = new Client(web.http, `10.2.0.${lastIp}`);
  const signedIn = await client.signIn(email);
  if (signedIn.statusCode !== 303) throw new Error(`${email} could not sign in: ${signedIn.statusCode}`);
  const csrf = await client.csrf();
  return {
    email,
    client,
    call: (method, url, body) =>
      client.request({
        method: method as 'GET',
        url,
        headers: {
          [CSRF_HEADER]: csrf,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      }),
  };
}

/** A member authority for contributors to write for. */
export async function aMember(web: WebApp, name: string): Promise<string> {
  return (await createAuthority(web.app.ctx.store, { name, country: 'FR' }, 'test')).id;
}
