// Provider webhooks with real signatures and credentials (keys made here): each valid event changes the
// right contact once; forged, replayed and stale calls change nothing.
import { execFileSync } from 'node:child_process';
import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../helpers/databases.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { buildServer } from '../../../src/http/server.js';
import { importContacts } from '../../../src/store/member-import.js';
import { listFeedbackEvents } from '../../../src/store/mail-feedback.js';
import { findContactByEmail } from '../../../src/store/members.js';
import { snsStringToSign } from '../../../src/newsletter/ses-hook.js';
import { signedMailgunCall } from '../../helpers/mail-hooks.js';

const MAILGUN_KEY = randomBytes(24).toString('hex');
const POSTMARK = { user: 'postmark', password: randomBytes(12).toString('hex') };
const BREVO_TOKEN = randomBytes(24).toString('hex');
const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const SENDGRID_PUBLIC = sendgridKeys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const EMAILS = [
  'mg@lyon.fr',
  'mg2@lyon.fr',
  'pm@lyon.fr',
  'br@lyon.fr',
  'sg@lyon.fr',
  'sg2@lyon.fr',
  'ses@lyon.fr',
];
const sns = snsCertificate();
const CSV = ['authority,country,name,email,language', ...EMAILS.map((e) => `Lyon,FR,,${e},fr`)].join('\n');
const now = () => Math.floor(Date.now() / 1000);

const mailgun = (event: Record<string, unknown>, opts: { key?: string; timestamp?: number } = {}) =>
  signedMailgunCall(event, opts.key ?? MAILGUN_KEY, opts.timestamp);

function sendgrid(
  events: unknown[],
  opts: { timestamp?: number; key?: typeof sendgridKeys.privateKey } = {},
) {
  const body = JSON.stringify(events);
  const timestamp = String(opts.timestamp ?? now());
  const signature = createSign('sha256')
    .update(timestamp + body)
    .sign(opts.key ?? sendgridKeys.privateKey)
    .toString('base64');
  return {
    headers: {
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-signature': signature,
      'x-twilio-email-event-webhook-timestamp': timestamp,
    },
    payload: body,
  };
}

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:herald-ses';

/** A self-signed certificate standing in for SNS's, made with openssl. */
function snsCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-sns-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${dir}/k.pem`,
      '-out',
      `${dir}/c.pem`,
      '-days',
      '2',
      '-subj',
      '/CN=sns.eu-west-1.amazonaws.com',
    ],
    { stdio: 'ignore' },
  );
  const pair = { key: readFileSync(`${dir}/k.pem`, 'utf8'), cert: readFileSync(`${dir}/c.pem`, 'utf8') };
  rmSync(dir, { recursive: true, force: true });
  return pair;
}

/** A local stand-in for SNS: serves the signing certificate and records subscription confirmations. */
async function startSns(
  cert: string,
): Promise<{ origin: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/cert.pem') res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(cert);
    else res.writeHead(200, { 'content-type': 'text/xml' }).end('<ConfirmSubscriptionResponse/>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function snsMessage(fields: Record<string, string>, key: string, origin: string): string {
  const message: Record<string, string> = {
    MessageId: randomBytes(8).toString('hex'),
    TopicArn: TOPIC,
    Timestamp: new Date().toISOString(),
    SignatureVersion: '2',
    SigningCertURL: `${origin}/cert.pem`,
    ...fields,
  };
  message.Signature = createSign('RSA-SHA256').update(snsStringToSign(message)!).sign(key).toString('base64');
  return JSON.stringify(message);
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`mail provider webhooks (${dialect})`, () => {
    let app: TestApp;
    let http: FastifyInstance;
    let snsServer: Awaited<ReturnType<typeof startSns>>;
    const status = async (email: string) => (await findContactByEmail(app.ctx.store.db, email))!.status;
    const events = async () => {
      const all = await Promise.all(
        EMAILS.map(async (e) =>
          listFeedbackEvents(app.ctx.store.db, {
            contactId: (await findContactByEmail(app.ctx.store.db, e))!.id,
          }),
        ),
      );
      return all.flat().length;
    };
    const post = (provider: string, call: { headers: Record<string, string>; payload: string }) =>
      http.inject({ method: 'POST', url: `/api/hooks/mail/${provider}`, ...call });

    beforeAll(async () => {
      snsServer = await startSns(sns.cert);
      app = await startTestApp(dialect, {
        newsletter: {
          webhooks: {
            sesTopicArns: [TOPIC],
            sesCertOrigins: [snsServer.origin],
            mailgunSigningKey: MAILGUN_KEY,
            postmarkUser: POSTMARK.user,
            postmarkPassword: POSTMARK.password,
            brevoToken: BREVO_TOKEN,
            sendgridPublicKey: SENDGRID_PUBLIC,
          },
        },
      });
      await importContacts(app.ctx.store, CSV, { actor: 'test' });
      http = await buildServer(app.ctx, { apiToken: 'test-token-0123456789abcdef' });
    });
    afterAll(async () => {
      await http?.close();
      await app?.close();
      await snsServer?.close();
    });

    it('mailgun: a signed permanent failure bounces the contact; the same event again changes nothing', async () => {
      const event = {
        id: 'mg-evt-1',
        event: 'failed',
        severity: 'permanent',
        recipient: 'mg@lyon.fr',
        'delivery-status': { code: 550, description: 'No such mailbox' },
      };
      const first = await post('mailgun', mailgun(event));
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ applied: 1, duplicate: 0, unknown: 0 });
      expect(await status('mg@lyon.fr')).toBe('bounced');
      expect((await post('mailgun', mailgun(event))).json()).toEqual({
        applied: 0,
        duplicate: 1,
        unknown: 0,
      });
    });

    it('mailgun: forged and stale calls are refused and change nothing', async () => {
      const before = await events();
      const event = { id: 'mg-evt-2', event: 'complained', recipient: 'mg2@lyon.fr' };
      expect(
        (await post('mailgun', mailgun(event, { key: randomBytes(24).toString('hex') }))).statusCode,
      ).toBe(401);
      expect((await post('mailgun', mailgun(event, { timestamp: now() - 3600 }))).statusCode).toBe(401);
      const tampered = mailgun(event);
      expect(
        (
          await post('mailgun', {
            ...tampered,
            payload: tampered.payload.replace('"timestamp":"', '"timestamp":"1'),
          })
        ).statusCode,
      ).toBe(401);
      expect(await status('mg2@lyon.fr')).toBe('active');
      expect(await events()).toBe(before);
    });

    it('postmark: basic auth; a spam complaint marks the contact complained', async () => {
      const payload = JSON.stringify({
        RecordType: 'SpamComplaint',
        ID: 42,
        Email: 'pm@lyon.fr',
        MessageID: 'abc',
      });
      const wrong = await post('postmark', {
        headers: {
          'content-type': 'application/json',
          authorization: basic(POSTMARK.user, 'wrong-password-123'),
        },
        payload,
      });
      expect(wrong.statusCode).toBe(401);
      expect(await status('pm@lyon.fr')).toBe('active');
      const right = await post('postmark', {
        headers: {
          'content-type': 'application/json',
          authorization: basic(POSTMARK.user, POSTMARK.password),
        },
        payload,
      });
      expect(right.json()).toEqual({ applied: 1, duplicate: 0, unknown: 0 });
      expect(await status('pm@lyon.fr')).toBe('complained');
    });

    it('brevo: the token; an unsubscription unsubscribes', async () => {
      const payload = JSON.stringify({
        event: 'unsubscribed',
        email: 'br@lyon.fr',
        'message-id': '<x@brevo>',
        ts_event: now(),
      });
      expect(
        (
          await post('brevo', {
            headers: {
              'content-type': 'application/json',
              authorization: 'Bearer not-the-token-000000000000',
            },
            payload,
          })
        ).statusCode,
      ).toBe(401);
      expect(
        (await post('brevo', { headers: { 'content-type': 'application/json' }, payload })).statusCode,
      ).toBe(401);
      expect(
        (
          await post('brevo', {
            headers: { 'content-type': 'application/json', authorization: `Bearer ${BREVO_TOKEN}` },
            payload,
          })
        ).statusCode,
      ).toBe(200);
      expect(await status('br@lyon.fr')).toBe('unsubscribed');
    });

    it('sendgrid: ECDSA-signed events; a batch applies each event once; forged or stale batches change nothing', async () => {
      const batch = [
        {
          email: 'sg@lyon.fr',
          event: 'bounce',
          type: 'bounce',
          status: '5.1.1',
          reason: 'unknown user',
          sg_event_id: 'sg-1',
        },
        { email: 'sg2@lyon.fr', event: 'delivered', sg_event_id: 'sg-2' },
      ];
      const before = await events();
      const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
      expect((await post('sendgrid', sendgrid(batch, { key: other }))).statusCode).toBe(401);
      expect((await post('sendgrid', sendgrid(batch, { timestamp: now() - 3600 }))).statusCode).toBe(401);
      const signed = sendgrid(batch);
      expect(
        (await post('sendgrid', { ...signed, payload: signed.payload.replace('sg@lyon.fr', 'sg2@lyon.fr') }))
          .statusCode,
      ).toBe(401);
      expect(await events()).toBe(before);
      expect((await post('sendgrid', signed)).json()).toEqual({ applied: 1, duplicate: 0, unknown: 0 });
      expect((await post('sendgrid', signed)).json()).toEqual({ applied: 0, duplicate: 1, unknown: 0 });
      expect([await status('sg@lyon.fr'), await status('sg2@lyon.fr')]).toEqual(['bounced', 'active']);
    });

    it('ses: SNS signatures checked with the certificate from an allowed origin; the subscription confirmed', async () => {
      const text = { 'content-type': 'text/plain; charset=UTF-8' };
      const confirm = snsMessage(
        {
          Type: 'SubscriptionConfirmation',
          Token: 'tok',
          Message: 'confirm',
          SubscribeURL: `${snsServer.origin}/confirm?Token=tok`,
        },
        sns.key,
        snsServer.origin,
      );
      const confirmed = await post('ses', { headers: text, payload: confirm });
      expect(confirmed.json()).toEqual({ confirmed: true });
      expect(snsServer.hits).toContain('/confirm?Token=tok');

      const bounce = {
        notificationType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bouncedRecipients: [
            { emailAddress: 'ses@lyon.fr', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
          ],
        },
        mail: { headers: [] },
      };
      const notification = (over: Record<string, string> = {}, key = sns.key, origin = snsServer.origin) =>
        snsMessage({ Type: 'Notification', Message: JSON.stringify(bounce), ...over }, key, origin);
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      const before = await events();
      expect((await post('ses', { headers: text, payload: notification({}, other) })).statusCode).toBe(401);
      expect(
        (
          await post('ses', {
            headers: text,
            payload: notification({ Timestamp: new Date(Date.now() - 7_200_000).toISOString() }),
          })
        ).statusCode,
      ).toBe(401);
      expect(
        (
          await post('ses', {
            headers: text,
            payload: notification({ TopicArn: 'arn:aws:sns:eu-west-1:999999999999:other' }),
          })
        ).statusCode,
      ).toBe(401);
      expect(
        (await post('ses', { headers: text, payload: notification({}, sns.key, 'http://127.0.0.2:9') }))
          .statusCode,
      ).toBe(401);
      expect(await events()).toBe(before);
      expect(await status('ses@lyon.fr')).toBe('active');

      const genuine = notification();
      expect((await post('ses', { headers: text, payload: genuine })).json()).toEqual({
        applied: 1,
        duplicate: 0,
        unknown: 0,
      });
      expect((await post('ses', { headers: text, payload: genuine })).json()).toEqual({
        applied: 0,
        duplicate: 1,
        unknown: 0,
      });
      expect(await status('ses@lyon.fr')).toBe('bounced');
      expect(snsServer.hits.filter((h) => h === '/cert.pem').length).toBe(1);
    });

    it('an unknown provider is a 404', async () => {
      expect(
        (await post('mandrill', { headers: { 'content-type': 'application/json' }, payload: '{}' }))
          .statusCode,
      ).toBe(404);
    });
  });
}
