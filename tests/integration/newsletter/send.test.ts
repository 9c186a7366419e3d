// Messages built, signed and sent through the pooled SMTP transport to a real in-process SMTP server,
// then parsed back with mailparser.
import { generateKeyPairSync } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNewsletterMessage } from '../../../src/newsletter/message.js';
import type { CompiledNewsletter } from '../../../src/newsletter/render.js';
import { compileNewsletter, renderFor } from '../../../src/newsletter/render.js';
import type { MailTransport } from '../../../src/newsletter/transport.js';
import { createMailTransport } from '../../../src/newsletter/transport.js';
import { signToken, tokenUrl, verifyToken } from '../../../src/newsletter/unsubscribe-token.js';
import { startFakeSmtp } from '../../fakes/smtp.js';
import type { FakeSmtp } from '../../fakes/smtp.js';
import { branding, tramItem } from '../../helpers/newsletter-sample.js';
import { verifyDkim } from '../../helpers/dkim-verify.js';

const TOKEN_KEY = 'test-token-key-0123456789abcdef0123456789';
const PASSWORD = 'S3cret/pa:ss@word';
const NEWSLETTER = 'nl-1';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dkim = {
  domainName: 'herald.example.org',
  keySelector: 'mail2026',
  privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};

interface TestContact {
  id: string;
  name: string;
  email: string;
  language: 'en' | 'fr';
}

const contacts: TestContact[] = Array.from({ length: 50 }, (_, i) => ({
  id: `c-${i}`,
  name: `Contact ${i}`,
  email: `contact${i}@city${i % 7}.example.eu`,
  language: i % 2 === 0 ? 'en' : 'fr',
}));

function messageFor(compiled: CompiledNewsletter, contact: TestContact, withDkim = true) {
  const token = signToken(
    { purpose: 'unsubscribe', contactId: contact.id, newsletterId: NEWSLETTER },
    TOKEN_KEY,
  );
  const unsubscribeUrl = tokenUrl('https://herald.example.org', '/u', token);
  const content = renderFor(compiled, {
    name: contact.name,
    email: contact.email,
    authorityName: 'Test City',
    unsubscribeUrl,
    preferencesUrl: 'https://herald.example.org/preferences/x',
  });
  return buildNewsletterMessage({
    newsletterId: NEWSLETTER,
    contactId: contact.id,
    from: { name: 'Alliance of Cities', address: 'news@herald.example.org' },
    to: { name: contact.name, address: contact.email },
    content,
    unsubscribeUrl,
    unsubscribeMailto: 'unsubscribe@herald.example.org',
    list: { id: 'members.herald.example.org', name: 'Alliance members' },
    messageIdHost: 'herald.example.org',
    dkim: withDkim ? dkim : undefined,
  });
}

describe('sending 50 messages through the pooled SMTP transport', () => {
  let smtp: FakeSmtp;
  let transport: MailTransport;
  const compiled: Record<string, CompiledNewsletter> = {};
  const parsed = new Map<
    string,
    { mail: ParsedMail; raw: Buffer; envelopeTo: string[]; user: string | undefined }
  >();

  beforeAll(async () => {
    smtp = await startFakeSmtp({ auth: { user: 'herald', pass: PASSWORD } });
    transport = createMailTransport({ smtpUrl: smtp.url, maxConnections: 3, maxMessages: 20 });
    for (const language of ['en', 'fr'])
      compiled[language] = await compileNewsletter({
        kind: 'announcement',
        items: [tramItem],
        language,
        branding,
      });
    const receipts = await Promise.all(
      contacts.map((c) => transport.send(messageFor(compiled[c.language]!, c))),
    );
    expect(receipts.every((r) => r.response.startsWith('250'))).toBe(true);
    for (const message of smtp.messages) {
      const mail = await simpleParser(message.raw);
      parsed.set(mail.messageId ?? '', {
        mail,
        raw: message.raw,
        envelopeTo: message.envelope.to,
        user: message.user,
      });
    }
  });
  afterAll(async () => {
    transport?.close();
    await smtp?.close();
  });

  it('delivers one message per contact, to the right address, authenticated', () => {
    expect(smtp.messages).toHaveLength(50);
    expect(parsed.size).toBe(50);
    for (const contact of contacts) {
      const got = parsed.get(`<${NEWSLETTER}.${contact.id}@herald.example.org>`);
      expect(got, contact.id).toBeDefined();
      expect(got!.envelopeTo).toEqual([contact.email]);
      expect(got!.user).toBe('herald');
      const to = got!.mail.to;
      expect(Array.isArray(to) ? to[0]?.value : to?.value).toEqual([
        { address: contact.email, name: contact.name },
      ]);
      expect(got!.mail.from?.value).toEqual([
        { address: 'news@herald.example.org', name: 'Alliance of Cities' },
      ]);
      expect(got!.mail.subject).toBe(
        contact.language === 'fr'
          ? 'Lyon ouvre sa cinquième ligne de tram'
          : 'Lyon opens its fifth tram line',
      );
    }
  });

  it('carries the RFC 8058 and RFC 2919 headers and a working unsubscribe token', () => {
    for (const contact of contacts) {
      const { mail } = parsed.get(`<${NEWSLETTER}.${contact.id}@herald.example.org>`)!;
      const line = (key: string) =>
        mail.headerLines.find((h) => h.key === key)?.line.replace(/\r\n[ \t]+/g, ' ');
      expect(line('list-unsubscribe')).toMatch(
        /^List-Unsubscribe: <https:\/\/herald\.example\.org\/u\/v1\.[^>]+>, <mailto:unsubscribe@herald\.example\.org>$/,
      );
      expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      expect(line('list-id')).toBe('List-ID: "Alliance members" <members.herald.example.org>');
      const token = /\/u\/([^>\s]+)>/.exec(line('list-unsubscribe') ?? '')?.[1] ?? '';
      expect(verifyToken(token, TOKEN_KEY, 'unsubscribe')).toEqual({
        purpose: 'unsubscribe',
        contactId: contact.id,
        newsletterId: NEWSLETTER,
      });
      expect(mail.html).toContain(`href="https://herald.example.org/u/${token}"`);
    }
  });

  it('has a plain-text part made from the HTML', () => {
    for (const contact of contacts) {
      const { mail } = parsed.get(`<${NEWSLETTER}.${contact.id}@herald.example.org>`)!;
      expect(mail.text).toContain(
        contact.language === 'fr' ? `Bonjour ${contact.name},` : `Dear ${contact.name},`,
      );
      expect(mail.text).toContain(contact.email);
      expect(mail.text).not.toMatch(/<(p|div|table|td|a|img|br)\b/);
      expect(mail.html).toContain(contact.name);
    }
  });

  it('is DKIM-signed over both List-Unsubscribe headers, and the signature verifies', () => {
    for (const { raw } of parsed.values()) {
      const result = verifyDkim(raw, publicKey);
      expect(result.reason).toBeUndefined();
      expect(result.ok).toBe(true);
      expect(result.tags).toMatchObject({ d: 'herald.example.org', s: 'mail2026' });
      expect(result.signedHeaders).toEqual(
        expect.arrayContaining([
          'from',
          'subject',
          'message-id',
          'list-unsubscribe',
          'list-unsubscribe-post',
          'list-id',
        ]),
      );
    }
  });

  it('detects a message altered after signing', () => {
    const raw = parsed.values().next().value!.raw;
    const altered = Buffer.from(
      raw
        .toString('latin1')
        .replace(
          'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
          'List-Unsubscribe-Post: List-Unsubscribe=One-Clack',
        ),
      'latin1',
    );
    expect(verifyDkim(altered, publicKey)).toMatchObject({ ok: false, reason: 'signature mismatch' });
    const body = Buffer.from(raw.toString('latin1').replace('Contact', 'Kontact'), 'latin1');
    expect(verifyDkim(body, publicKey)).toMatchObject({ ok: false });
  });
});
