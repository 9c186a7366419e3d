// Shared set-up of the newsletter pipeline tests: an app whose newsletter queue sends to the fake SMTP
// server, contacts imported through the CSV importer, published items.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { startTestApp, sampleItem, waitFor, type TestApp } from './app.js';
import type { DialectUnderTest } from './databases.js';
import type { FakeSmtp, ReceivedMessage } from '../fakes/smtp.js';
import { createItem } from '../../src/app/items.js';
import { requestPublish } from '../../src/app/publishing.js';
import { startSend } from '../../src/newsletter/send-flow.js';
import { createNewsletter } from '../../src/newsletter/staff-tools.js';
import { importContacts } from '../../src/store/member-import.js';
import { getNewsletter, progressOf } from '../../src/store/newsletters.js';
import type { NewsletterStatus } from '../../src/domain/newsletter-send.js';

export const TOKEN_KEY = 'newsletter-test-key-0123456789abcdef0123456789';

export function dkimKeyFile() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'herald-dkim-')), 'dkim.pem');
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  return { file, publicKey };
}

/** Newsletter settings for tests: fast retries, no digest scheduler unless asked, a postal address. */
export function newsletterOverrides(smtp: FakeSmtp | null, extra: Record<string, unknown> = {}) {
  return {
    publicUrl: 'https://herald.test',
    newsletter: {
      ...(smtp ? { smtpUrl: smtp.url } : {}),
      from: 'Alliance of Cities <news@alliance.example>',
      tokenKeys: [TOKEN_KEY],
      poolSize: 3,
      concurrency: 6,
      messagesPerSecond: 5_000,
      retry: { maxAttempts: 6, backoffMs: 150, maxBackoffMs: 600 },
      branding: {
        postalAddress: 'Rue de la Loi 1\n1000 Brussels',
        logoUrl: 'https://alliance.example/logo.png',
      },
      digest: { enabled: false },
      ...extra,
    },
  };
}

export async function startNewsletterApp(
  dialect: DialectUnderTest,
  smtp: FakeSmtp | null,
  extra: Record<string, unknown> = {},
  top: Record<string, unknown> = {},
): Promise<TestApp> {
  return startTestApp(dialect, { ...newsletterOverrides(smtp, extra), ...top });
}

export const contactEmail = (i: number) => `contact${i}@city${i % 9}.example.eu`;

/** `n` contacts in authorities of 5, alternately English and French. */
export function contactsCsv(n: number, from = 0): string {
  const lines = ['authority,country,name,email,language'];
  for (let i = from; i < from + n; i++)
    lines.push(`City ${Math.floor(i / 5)},FR,Contact ${i},${contactEmail(i)},${i % 2 === 0 ? 'en' : 'fr'}`);
  return `${lines.join('\n')}\n`;
}

export async function seedContacts(app: TestApp, n: number, from = 0): Promise<void> {
  const report = await importContacts(app.ctx.store, contactsCsv(n, from), { actor: 'test' });
  if (report.rejected.length > 0 || report.created !== n)
    throw new Error(`seed failed: ${JSON.stringify(report).slice(0, 500)}`);
}

export async function publishedItem(
  app: TestApp,
  n = 1,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const item = await createItem(app.ctx.store, sampleItem(n, extra), 'test');
  await requestPublish(app.ctx, item.id, { actor: 'test' });
  return item.id;
}

/** Creates a newsletter of these items, sends it through the newsletter workers and waits until it is sent. */
export async function sendNewsletterNow(
  app: TestApp,
  kind: 'announcement' | 'digest',
  itemIds: string[],
  timeoutMs = 60_000,
): Promise<string> {
  const { id } = await createNewsletter(app.ctx, { kind, itemIds }, 'test');
  app.startWorkers(['newsletter']);
  await startSend(app.ctx, id, { actor: 'test' });
  await waitForStatus(app, id, 'sent', timeoutMs);
  return id;
}

export async function waitForStatus(app: TestApp, id: string, status: NewsletterStatus, timeoutMs = 30_000) {
  return waitFor(
    async () => (await getNewsletter(app.ctx.store.db, id)).status === status,
    timeoutMs,
    `newsletter ${status} (${JSON.stringify(await progressOf(app.ctx.store.db, id))})`,
  );
}

export async function parseAll(
  messages: readonly ReceivedMessage[],
): Promise<Array<{ mail: ParsedMail; raw: Buffer; to: string[] }>> {
  return Promise.all(
    messages.map(async (m) => ({ mail: await simpleParser(m.raw), raw: m.raw, to: m.envelope.to })),
  );
}

/** Messages received per recipient address. */
export function countByRecipient(messages: readonly ReceivedMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) for (const to of m.envelope.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

export function header(mail: ParsedMail, key: string): string | undefined {
  return mail.headerLines.find((h) => h.key === key)?.line.replace(/\r\n[ \t]+/g, ' ');
}

export type SentOriginal = { returnPath: string; messageId: string; feedbackId: string; to: string };

/** What a bounce report quotes of each message sent, by recipient address: return path, Message-ID, Feedback-ID. */
export async function sentOriginals(
  messages: readonly ReceivedMessage[],
): Promise<Map<string, SentOriginal>> {
  const originals = new Map<string, SentOriginal>();
  for (const m of messages) {
    const mail = await simpleParser(m.raw);
    const to = m.envelope.to[0]!;
    originals.set(to, {
      returnPath: m.envelope.from,
      messageId: mail.messageId!,
      feedbackId: header(mail, 'feedback-id')!.replace(/^Feedback-ID: /, ''),
      to,
    });
  }
  return originals;
}
