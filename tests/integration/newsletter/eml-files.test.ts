// Without SMTP_URL, messages are written as .eml files: one per Message-ID, written atomically.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNewsletterMessage } from '../../../src/newsletter/message.js';
import { compileNewsletter, renderFor } from '../../../src/newsletter/render.js';
import { createMailTransport, emlFileName } from '../../../src/newsletter/transport.js';
import { branding, budgetItem, recipients } from '../../helpers/newsletter-sample.js';

const dir = mkdtempSync(join(tmpdir(), 'herald-eml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eml file transport', () => {
  it('writes one .eml per Message-ID; a resend replaces the file instead of adding one', async () => {
    const transport = createMailTransport({ smtpUrl: '', emlDir: join(dir, 'mail') });
    expect(transport.kind).toBe('eml');
    const compiled = await compileNewsletter({
      kind: 'announcement',
      items: [budgetItem],
      language: 'en',
      branding,
    });
    const send = (index: number) => {
      const recipient = recipients[index]!;
      return transport.send(
        buildNewsletterMessage({
          newsletterId: 'nl-9',
          contactId: `c-${index}`,
          from: 'Alliance of Cities <news@herald.example.org>',
          to: { name: recipient.name ?? undefined, address: recipient.email },
          content: renderFor(compiled, recipient),
          unsubscribeUrl: recipient.unsubscribeUrl,
          list: { id: 'members.herald.example.org' },
          messageIdHost: 'herald.example.org',
        }),
      );
    };
    const receipts = [await send(0), await send(1), await send(2), await send(1)];
    expect(receipts[0]).toMatchObject({
      messageId: '<nl-9.c-0@herald.example.org>',
      accepted: [recipients[0]!.email],
    });
    expect(readdirSync(join(dir, 'mail')).sort()).toEqual([
      'nl-9.c-0@herald.example.org.eml',
      'nl-9.c-1@herald.example.org.eml',
      'nl-9.c-2@herald.example.org.eml',
    ]);
    const raw = readFileSync(receipts[1]!.file!);
    expect(raw.includes('\r\n')).toBe(true);
    const mail = await simpleParser(raw);
    expect(mail.messageId).toBe('<nl-9.c-1@herald.example.org>');
    expect(mail.subject).toBe('Participatory budgets: results of the 2026 round');
    expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line.replace(/\r\n\s+/g, ' ')).toBe(
      `List-Unsubscribe: <${recipients[1]!.unsubscribeUrl}>`,
    );
    expect(mail.headerLines.find((h) => h.key === 'list-id')?.line).toBe(
      'List-ID: <members.herald.example.org>',
    );
    expect(mail.text).toContain("Dear Zoë O'Neil & <b>Co</b>,");
    transport.close();
  });

  it('derives safe file names from Message-IDs', () => {
    expect(emlFileName('<a.b@host.example>')).toBe('a.b@host.example.eml');
    expect(emlFileName('<../../etc/passwd@x>')).toBe('__.._etc_passwd@x.eml');
    expect(emlFileName('<>')).toBe('message.eml');
  });
});
