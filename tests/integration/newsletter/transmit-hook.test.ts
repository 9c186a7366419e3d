// Pins the nodemailer behaviour crash safety rests on (src/newsletter/transmit-hook.ts): the hook runs
// after the server accepted the envelope and before any byte of the message goes out; when it fails,
// nothing is transmitted; when the envelope is refused, it never runs.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { createMailTransport, MailSendError, type MailTransport } from '../../../src/newsletter/transport.js';

let smtp: FakeSmtp;
let transport: MailTransport;
afterEach(async () => {
  transport?.close();
  await smtp?.close();
});

const message = (to: string) => ({
  from: 'news@alliance.example',
  to,
  subject: 'hook',
  text: 'x'.repeat(50_000),
  messageId: `<nl-1.${to.split('@')[0]}@alliance.example>`,
});

describe('the transmit hook', () => {
  it('runs after RCPT TO was accepted and before the data, and the data waits for it', async () => {
    smtp = await startFakeSmtp();
    transport = createMailTransport({ smtpUrl: smtp.url, maxConnections: 1 });
    const seen: Array<{ rcpt: number; messages: number }> = [];
    const receipt = await transport.send(message('a@example.eu'), {
      onTransmit: async () => {
        seen.push({ rcpt: smtp.attempts.get('a@example.eu') ?? 0, messages: smtp.messages.length });
        await new Promise((r) => setTimeout(r, 100));
        expect(smtp.messages).toHaveLength(0);
      },
    });
    expect(receipt.response).toMatch(/^250 /);
    expect(seen).toEqual([{ rcpt: 1, messages: 0 }]);
    expect(smtp.messages).toHaveLength(1);
  });

  it('never runs when the recipient is refused', async () => {
    smtp = await startFakeSmtp({ faults: { reject: { recipients: ['gone@example.eu'] } } });
    transport = createMailTransport({ smtpUrl: smtp.url, maxConnections: 1 });
    let ran = false;
    const error = await transport
      .send(message('gone@example.eu'), { onTransmit: async () => void (ran = true) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailSendError);
    expect(ran).toBe(false);
  });

  it('a failing hook fails the send with nothing transmitted, and the next message goes through', async () => {
    smtp = await startFakeSmtp();
    transport = createMailTransport({ smtpUrl: smtp.url, maxConnections: 1 });
    const error = await transport
      .send(message('a@example.eu'), { onTransmit: async () => Promise.reject(new Error('claim lost')) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailSendError);
    expect((error as MailSendError).message).toMatch(/claim lost/);
    expect(smtp.messages).toHaveLength(0);
    await transport.send(message('b@example.eu'), { onTransmit: async () => undefined });
    expect(smtp.messages.map((m) => m.envelope.to)).toEqual([['b@example.eu']]);
  });

  it('the .eml outbox runs it before writing the file', async () => {
    const { mkdtempSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/herald-eml-`);
    transport = createMailTransport({ emlDir: dir });
    let filesAtHook = -1;
    await transport.send(message('a@example.eu'), {
      onTransmit: async () => void (filesAtHook = readdirSync(dir).length),
    });
    expect(filesAtHook).toBe(0);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(transport.idempotent).toBe(true);
  });
});
