// SMTP failures as the fake server produces them, classified by the transport.
import { afterEach, describe, expect, it } from 'vitest';
import type { SendMailOptions } from 'nodemailer';
import type { MailTransport } from '../../../src/newsletter/transport.js';
import { createMailTransport, MailSendError } from '../../../src/newsletter/transport.js';
import { startFakeSmtp } from '../../fakes/smtp.js';
import type { FakeSmtp, SmtpFaults } from '../../fakes/smtp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(faults: SmtpFaults, auth?: { user: string; pass: string }) {
  const smtp = await startFakeSmtp({ faults, ...(auth ? { auth } : {}) });
  const transport = createMailTransport({ smtpUrl: smtp.url, maxConnections: 1 });
  cleanups.push(
    () => smtp.close(),
    () => transport.close(),
  );
  return { smtp, transport };
}

const mail = (to: string, n = 0): SendMailOptions => ({
  from: 'news@herald.example.org',
  to,
  subject: `message ${n}`,
  text: 'hello',
  messageId: `<nl-1.${to.split('@')[0]}-${n}@herald.example.org>`,
});

async function sendError(transport: MailTransport, message: SendMailOptions): Promise<MailSendError> {
  const error = await transport.send(message).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MailSendError);
  return error as MailSendError;
}

const delivered = (smtp: FakeSmtp, address: string) =>
  smtp.messages.filter((m) => m.envelope.to.includes(address)).length;

describe('SMTP faults', () => {
  it('421: deferred, delivered once when retried later', async () => {
    const { smtp, transport } = await setup({
      tempFail: { recipients: ['busy@example.eu'], code: 421, times: 1 },
    });
    const error = await sendError(transport, mail('busy@example.eu'));
    expect(error.classification).toMatchObject({
      kind: 'deferred',
      responseCode: 421,
      scope: 'transport',
      outcomeUnknown: false,
    });
    expect(error.classification.reply).toMatch(/^421 /);
    await transport.send(mail('busy@example.eu'));
    expect(delivered(smtp, 'busy@example.eu')).toBe(1);
  });

  it('451 for one recipient: deferred for that recipient only, the rest go on', async () => {
    const { smtp, transport } = await setup({
      tempFail: { recipients: ['grey@example.eu'], code: 451, times: 2 },
    });
    await transport.send(mail('a@example.eu'));
    for (let attempt = 1; attempt <= 2; attempt++) {
      const error = await sendError(transport, mail('grey@example.eu'));
      expect(error.classification).toMatchObject({ kind: 'deferred', responseCode: 451, scope: 'recipient' });
    }
    await transport.send(mail('b@example.eu'));
    await transport.send(mail('grey@example.eu'));
    expect(smtp.messages.map((m) => m.envelope.to[0])).toEqual([
      'a@example.eu',
      'b@example.eu',
      'grey@example.eu',
    ]);
  });

  it('550: bounced with the server reply, and the next messages still go out', async () => {
    const { smtp, transport } = await setup({
      reject: { recipients: ['gone@example.eu'], message: '5.1.1 No such user' },
    });
    const error = await sendError(transport, mail('gone@example.eu'));
    expect(error.classification).toMatchObject({
      kind: 'bounced',
      responseCode: 550,
      scope: 'recipient',
      reply: '550 5.1.1 No such user',
    });
    await transport.send(mail('next@example.eu'));
    expect(smtp.messages.map((m) => m.envelope.to[0])).toEqual(['next@example.eu']);
  });

  it('connection dropped after the data: deferred, outcome unknown, the transport recovers', async () => {
    const { smtp, transport } = await setup({ drop: { afterMessages: 2, stage: 'data' } });
    await transport.send(mail('one@example.eu'));
    await transport.send(mail('two@example.eu'));
    const error = await sendError(transport, mail('three@example.eu'));
    expect(error.classification).toMatchObject({
      kind: 'deferred',
      scope: 'transport',
      outcomeUnknown: true,
    });
    expect(smtp.dropped.map((m) => m.envelope.to[0])).toEqual(['three@example.eu']);
    await transport.send(mail('four@example.eu'));
    expect(smtp.messages.map((m) => m.envelope.to[0])).toEqual([
      'one@example.eu',
      'two@example.eu',
      'four@example.eu',
    ]);
  });

  it('connection dropped before the data on a reused connection: nodemailer requeues it, delivered once', async () => {
    const { smtp, transport } = await setup({ drop: { afterMessages: 1, stage: 'rcpt' } });
    await transport.send(mail('one@example.eu'));
    await transport.send(mail('two@example.eu'));
    expect(smtp.attempts.get('two@example.eu')).toBe(2);
    expect(delivered(smtp, 'two@example.eu')).toBe(1);
  });
});

describe('SMTP credentials', () => {
  const pass = 'Sup3r/Secret:p@ss';
  const urlWith = (smtp: FakeSmtp, password: string) =>
    `smtp://herald:${encodeURIComponent(password)}@127.0.0.1:${smtp.port}`;

  it('authenticates with the credentials of the URL', async () => {
    const { smtp, transport } = await setup({}, { user: 'herald', pass });
    await transport.send(mail('a@example.eu'));
    expect(smtp.messages[0]?.user).toBe('herald');
  });

  it('never shows the password: description, send and verify errors', async () => {
    const { smtp } = await setup({}, { user: 'herald', pass });
    const wrong = `${pass}-wrong`;
    const transport = createMailTransport({ smtpUrl: urlWith(smtp, wrong) });
    cleanups.push(() => transport.close());
    expect(transport.description).toBe(`smtp://herald:***@127.0.0.1:${smtp.port}`);
    const error = await sendError(transport, mail('a@example.eu'));
    expect(error.classification).toMatchObject({
      kind: 'deferred',
      scope: 'transport',
      code: 'EAUTH',
      responseCode: 535,
    });
    const verifyError = await transport.verify().then(
      () => null,
      (e: unknown) => e as MailSendError,
    );
    for (const text of [
      error.message,
      error.classification.reply,
      JSON.stringify(error),
      String(error.stack),
      verifyError?.message ?? '',
    ]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(encodeURIComponent(wrong));
      expect(text).not.toContain('Sup3r');
    }
    expect(error.message).toContain('***@127.0.0.1');
  });

  it('keeps the password out of URL errors', () => {
    const encoded = encodeURIComponent(pass);
    const cases: [string, RegExp][] = [
      [`smtp://u:${pass}@host:25`, /not a valid URL: \[invalid URL\]/], // unencoded special characters
      [
        `smtp://u:${encoded}@host:25?pool=true`,
        /parameter "pool" is not supported \(smtp:\/\/u:\*\*\*@host:25\?pool=true\)/,
      ],
      [`http://u:${encoded}@host:25`, /smtp:\/\/ or smtps:\/\//],
    ];
    for (const [smtpUrl, expected] of cases) {
      const message = (() => {
        try {
          createMailTransport({ smtpUrl });
          return 'no error';
        } catch (err) {
          return (err as Error).message;
        }
      })();
      expect(message).toMatch(expected);
      expect(message).not.toContain('Sup3r');
    }
  });
});
