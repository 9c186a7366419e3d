import { describe, expect, it } from 'vitest';
import { classifySmtpError, redactSecrets, redactUrl } from '../../../src/newsletter/smtp-errors.js';

const smtp = (responseCode: number, command = 'RCPT TO', code = 'EENVELOPE') =>
  Object.assign(new Error(`Can't send mail: ${responseCode}`), {
    code,
    responseCode,
    command,
    response: `${responseCode} reply text`,
  });

describe('classifySmtpError', () => {
  it.each([421, 450, 451, 452, 454])('%i is deferred', (responseCode) => {
    expect(classifySmtpError(smtp(responseCode))).toMatchObject({
      kind: 'deferred',
      reply: `${responseCode} reply text`,
      responseCode,
    });
  });

  it.each([550, 551, 552, 553, 554])('%i for the recipient is bounced', (responseCode) => {
    expect(classifySmtpError(smtp(responseCode))).toMatchObject({ kind: 'bounced', scope: 'recipient' });
    expect(classifySmtpError(smtp(responseCode, 'DATA', 'EMESSAGE'))).toMatchObject({
      kind: 'bounced',
      scope: 'message',
    });
  });

  it.each([500, 501, 502, 504, 555])('other 5xx (%i) failed', (responseCode) => {
    expect(classifySmtpError(smtp(responseCode))).toMatchObject({ kind: 'failed' });
  });

  it('never gives up on a recipient for a problem of the server or of our configuration', () => {
    expect(classifySmtpError(smtp(535, 'AUTH PLAIN', 'EAUTH'))).toMatchObject({
      kind: 'deferred',
      scope: 'transport',
    });
    expect(classifySmtpError(smtp(553, 'MAIL FROM'))).toMatchObject({ kind: 'deferred', scope: 'transport' });
    expect(classifySmtpError(smtp(503))).toMatchObject({ kind: 'deferred' });
    expect(classifySmtpError(new TypeError('bug'))).toMatchObject({ kind: 'deferred', scope: 'transport' });
  });

  it('defers dropped connections and says when the message may have been accepted', () => {
    const dropped = Object.assign(new Error('Connection closed unexpectedly'), {
      code: 'ECONNECTION',
      command: 'CONN',
    });
    expect(classifySmtpError(dropped)).toMatchObject({
      kind: 'deferred',
      scope: 'transport',
      outcomeUnknown: true,
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), {
      code: 'ESOCKET',
      command: 'CONN',
    });
    expect(classifySmtpError(refused)).toMatchObject({ kind: 'deferred', outcomeUnknown: false });
    const timeout = Object.assign(new Error('Timeout'), { code: 'ETIMEDOUT' });
    expect(classifySmtpError(timeout)).toMatchObject({ kind: 'deferred', outcomeUnknown: true });
  });
});

describe('redaction', () => {
  it('hides the password of an SMTP URL', () => {
    expect(redactUrl('smtp://user:p%40ss@mail.example.org:587')).toBe('smtp://user:***@mail.example.org:587');
    expect(redactUrl('smtp://mail.example.org:25')).toBe('smtp://mail.example.org:25');
    expect(redactUrl('not a url p@ss')).toBe('[invalid URL]');
  });

  it('hides secrets in free text, raw and URL-encoded', () => {
    expect(redactSecrets('login p@ss failed (smtp://u:p%40ss@h)', ['p@ss'])).toBe(
      'login *** failed (smtp://u:***@h)',
    );
  });
});
