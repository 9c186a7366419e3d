import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import {
  contactEmail,
  newsletterOverrides,
  publishedItem,
  seedContacts,
  TOKEN_KEY,
} from '../../helpers/newsletter.js';
import { buildServer } from '../../../src/http/server.js';
import { createLogger } from '../../../src/log.js';
import { signToken } from '../../../src/newsletter/unsubscribe-token.js';
import { findContactByEmail } from '../../../src/store/members.js';
import { createNewsletter } from '../../../src/newsletter/staff-tools.js';
import { redactUrl } from '../../../src/log-redact.js';

const QUERY_SECRET = 'query-secret-0a1b2c3d4e5f';

describe('no token in the logs', () => {
  const lines: string[] = [];
  let app: TestApp;
  let http: FastifyInstance;

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    app = await startTestApp('sqlite', newsletterOverrides(null), {
      log: createLogger('trace', { destination }),
    });
    http = await buildServer(app.ctx, { apiToken: 'test-token-0123456789abcdef' });
  });
  afterAll(async () => {
    await http?.close();
    await app?.close();
  });

  it('redacts the token of /u/, /p/ and /w/ links (however spelled) and every query value', () => {
    expect(redactUrl('/u/abc.def?x=1&y')).toBe('/u/[redacted]?x=[redacted]&y');
    expect(redactUrl('https://herald.example/p/tok.en#frag')).toBe('https://herald.example/p/[redacted]');
    expect(redactUrl('//%77/tok')).toBe('//%77/[redacted]');
    expect(redactUrl('/items/itm_1?q=lyon')).toBe('/items/itm_1?q=[redacted]');
    expect(redactUrl('/feed.xml')).toBe('/feed.xml');
  });

  it('after a run of every public route, with real tokens, no token appears in the log', async () => {
    await seedContacts(app, 2);
    const itemId = await publishedItem(app, 1);
    const contactId = (await findContactByEmail(app.ctx.store.db, contactEmail(0)))!.id;
    const newsletterId = (
      await createNewsletter(app.ctx, { kind: 'announcement', itemIds: [itemId] }, 'test')
    ).id;
    const tokens = [
      signToken({ purpose: 'unsubscribe', contactId }, TOKEN_KEY),
      signToken({ purpose: 'preferences', contactId }, TOKEN_KEY),
      signToken({ purpose: 'web', contactId, newsletterId }, TOKEN_KEY),
    ];
    const [u, p, w] = tokens as [string, string, string];
    const requests: Array<[string, string, string?]> = [
      ['GET', `/u/${u}`],
      ['POST', `/u/${u}`, 'List-Unsubscribe=One-Click'],
      ['GET', `/p/${p}?lang=fr&token=${QUERY_SECRET}`],
      ['POST', `/p/${p}`, 'language=fr'],
      ['GET', `/w/${w}`],
      ['GET', `/%75/${u}`],
      ['GET', `//w/${w}`],
      ['GET', `/u/${u}/extra`],
      ['GET', `/u/${u.slice(0, -3)}xyz`], // a forged token: logged as a failure, still redacted
      ['GET', `/feed.xml?key=${QUERY_SECRET}`],
      ['GET', '/atom.xml'],
      ['GET', '/feed.json'],
      ['GET', `/healthz?token=${QUERY_SECRET}`],
      ['GET', `/login?next=/items%3Ftoken%3D${QUERY_SECRET}`],
      ['GET', `/api/items?token=${QUERY_SECRET}`],
      ['POST', '/api/hooks/publish', '{}'],
      ['GET', `/nowhere?token=${QUERY_SECRET}`],
    ];
    for (const [method, url, payload] of requests) {
      const res = await http.inject({
        method: method as 'GET',
        url,
        ...(payload
          ? {
              payload,
              headers: {
                'content-type': payload.startsWith('{')
                  ? 'application/json'
                  : 'application/x-www-form-urlencoded',
              },
            }
          : {}),
      });
      expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
    }
    const log = lines.join('');
    expect(log).toContain('"url":"/u/[redacted]"'); // the requests were logged
    for (const token of [...tokens, QUERY_SECRET]) {
      expect(log).not.toContain(token);
      expect(log).not.toContain(token.slice(-24)); // nor a recognisable part of it
    }
  });
});
