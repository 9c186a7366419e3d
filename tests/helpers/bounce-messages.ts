// Bounce mailbox messages in the shapes real servers send, written from the RFC 3464 and RFC 5965
// examples and the servers' usual headers: Postfix, Exim, Exchange/Outlook, Gmail DSNs, ARF complaints,
// auto-replies and garbage.

export interface Original {
  /** The envelope sender the message went out with (the VERP address). */
  returnPath: string;
  messageId: string;
  feedbackId: string;
  to: string;
}

let serial = 0;
const id = (host: string) => `<${Date.now()}.${++serial}@${host}>`;
const DATE = 'Mon, 07 Dec 2026 04:00:00 +0000';

function originalHeaders(o: Original): string {
  return [
    `Return-Path: <${o.returnPath}>`,
    `From: Alliance of Cities <news@alliance.example>`,
    `To: ${o.to}`,
    `Subject: Conference report`,
    `Date: ${DATE}`,
    `Message-ID: ${o.messageId}`,
    `Feedback-ID: ${o.feedbackId}`,
    `List-Id: <newsletter.alliance.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ].join('\r\n');
}

function report(
  headers: string[],
  type: 'delivery-status' | 'feedback-report',
  parts: Array<{ type: string; body: string; extra?: string }>,
): string {
  const boundary = `b${++serial}x`;
  const body = parts
    .map((p) => `--${boundary}\r\nContent-Type: ${p.type}\r\n${p.extra ?? ''}\r\n${p.body}\r\n`)
    .join('');
  return `${headers.join('\r\n')}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=${type}; boundary="${boundary}"\r\n\r\nThis is a MIME-encapsulated message.\r\n\r\n${body}--${boundary}--\r\n`;
}

const status = (perMessage: string[], perRecipient: string[]) =>
  `${perMessage.join('\r\n')}\r\n\r\n${perRecipient.join('\r\n')}\r\n`;

/** Postfix: hard bounce, sent to the VERP address, with the original's headers (text/rfc822-headers). */
export function postfixHard(o: Original): string {
  return report(
    [
      'From: MAILER-DAEMON@mx1.relay.example (Mail Delivery System)',
      `To: ${o.returnPath}`,
      'Subject: Undelivered Mail Returned to Sender',
      `Date: ${DATE}`,
      `Message-Id: ${id('mx1.relay.example')}`,
      'Auto-Submitted: auto-replied',
    ],
    'delivery-status',
    [
      {
        type: 'text/plain; charset=us-ascii',
        extra: 'Content-Description: Notification\r\n',
        body: `This is the mail system at host mx1.relay.example.\r\n\r\nI'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients.\r\n\r\n<${o.to}>: host mx.lyon.example[192.0.2.10] said: 550 5.1.1\r\n    <${o.to}>: Recipient address rejected: User unknown (in reply to RCPT TO\r\n    command)\r\n`,
      },
      {
        type: 'message/delivery-status',
        extra: 'Content-Description: Delivery report\r\n',
        body: status(
          [
            'Reporting-MTA: dns; mx1.relay.example',
            'X-Postfix-Queue-ID: 4Z1abc',
            `X-Postfix-Sender: rfc822; ${o.returnPath}`,
            'Arrival-Date: Mon,  7 Dec 2026 03:59:58 +0000 (UTC)',
          ],
          [
            `Final-Recipient: rfc822; ${o.to}`,
            `Original-Recipient: rfc822;${o.to}`,
            'Action: failed',
            'Status: 5.1.1',
            'Remote-MTA: dns; mx.lyon.example',
            `Diagnostic-Code: smtp; 550 5.1.1 <${o.to}>: Recipient address rejected:`,
            '    User unknown',
          ],
        ),
      },
      {
        type: 'text/rfc822-headers',
        extra: 'Content-Description: Undelivered Message Headers\r\n',
        body: originalHeaders(o),
      },
    ],
  );
}

/** Exim: a delay warning (soft) sent to the bare bounce address; the original comes back whole. */
export function eximDelayed(o: Original, bounceAddress: string): string {
  return report(
    [
      'From: Mail Delivery System <Mailer-Daemon@exim.porto.example>',
      `To: ${bounceAddress}`,
      'Subject: Warning: message 1kABCD-0001 delayed 24 hours',
      `Date: ${DATE}`,
      `Message-Id: ${id('exim.porto.example')}`,
      'Auto-Submitted: auto-replied',
      `X-Failed-Recipients: ${o.to}`,
    ],
    'delivery-status',
    [
      {
        type: 'text/plain; charset=us-ascii',
        body: `This message was created automatically by mail delivery software.\r\nA message that you sent has not yet been delivered to one or more of its\r\nrecipients after more than 24 hours on the queue on exim.porto.example.\r\n\r\n  ${o.to}\r\n    Delay reason: SMTP error from remote mail server after RCPT TO:<${o.to}>:\r\n    452 4.2.2 Mailbox full\r\n`,
      },
      {
        type: 'message/delivery-status',
        body: status(
          ['Reporting-MTA: dns; exim.porto.example'],
          [
            `Action: delayed`,
            `Final-Recipient: rfc822;${o.to}`,
            'Status: 4.2.2',
            'Remote-MTA: dns; mx.porto.example',
            'X-Remote-MTA-smtp-greeting: X-Str: 220 mx.porto.example ESMTP',
            'X-Exim-Diagnostic: X-str; SMTP error from remote mail server after RCPT TO:<x>: 452 4.2.2 Mailbox full',
            'Last-Attempt-Date: Mon, 07 Dec 2026 03:00:00 +0000',
            'Will-Retry-Until: Fri, 11 Dec 2026 03:00:00 +0000',
          ],
        ),
      },
      {
        type: 'message/rfc822',
        extra: 'Content-Disposition: inline\r\n',
        body: `${originalHeaders(o)}\r\n\r\nThe newsletter text.\r\n`,
      },
    ],
  );
}

/** Exchange/Outlook: an NDR to the bare bounce address naming only the final recipient (no original headers). */
export function exchangeHard(to: string, bounceAddress: string): string {
  const boundary = `alt${++serial}`;
  return report(
    [
      'From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@porto.example>',
      `To: <${bounceAddress}>`,
      'Subject: Undeliverable: Conference report',
      `Date: ${DATE}`,
      `Message-ID: ${id('EXCH01.porto.example')}`,
      'X-MS-Exchange-Message-Is-Ndr:',
      'Auto-Submitted: auto-replied',
      'Content-Language: en-US',
    ],
    'delivery-status',
    [
      {
        type: `multipart/alternative; differences=Content-Type; boundary="${boundary}"`,
        body: `--${boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nDelivery has failed to these recipients or groups:\r\n\r\n${to}\r\nThe email address you entered couldn't be found.\r\n\r\n--${boundary}\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<html><body><p>Delivery has failed to these recipients or groups:</p></body></html>\r\n--${boundary}--`,
      },
      {
        type: 'message/delivery-status',
        body: status(
          [
            'Reporting-MTA: dns;EXCH01.porto.example',
            'Received-From-MTA: dns;relay.alliance.example',
            'Arrival-Date: Mon, 7 Dec 2026 04:00:00 +0000',
          ],
          [
            `Original-Recipient: rfc822;${to}`,
            `Final-Recipient: rfc822;${to}`,
            'Action: failed',
            'Status: 5.1.10',
            'Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
            'X-Display-Name: Rui',
          ],
        ),
      },
    ],
  );
}

/** Gmail: a failure after retries with a temporary status (soft), to the VERP address, original attached. */
export function gmailSoft(o: Original): string {
  return report(
    [
      'From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
      `To: ${o.returnPath}`,
      'Subject: Delivery Status Notification (Failure)',
      `Date: ${DATE}`,
      `Message-ID: ${id('mx.google.com')}`,
      'Auto-Submitted: auto-replied',
      `X-Failed-Recipients: ${o.to}`,
    ],
    'delivery-status',
    [
      {
        type: 'text/plain; charset="UTF-8"',
        body: `** Message not delivered **\r\n\r\nThere was a temporary problem delivering your message to ${o.to}. Gmail gave up after 46 hours.\r\n`,
      },
      {
        type: 'message/delivery-status',
        body: status(
          [
            'Reporting-MTA: dns; googlemail.com',
            'Arrival-Date: Sat, 05 Dec 2026 06:00:00 -0800 (PST)',
            'X-Original-Message-ID: ' + o.messageId,
          ],
          [
            `Final-Recipient: rfc822; ${o.to}`,
            'Action: failed',
            'Status: 4.4.1',
            'Diagnostic-Code: smtp; The recipient server did not accept our requests to connect.',
            'Last-Attempt-Date: Mon, 07 Dec 2026 04:00:00 -0800 (PST)',
          ],
        ),
      },
      { type: 'message/rfc822', body: `${originalHeaders(o)}\r\n\r\nThe newsletter text.\r\n` },
    ],
  );
}

/** RFC 5965 ARF from a mailbox provider's feedback loop; `verp` false: the FBL rewrote the envelope sender and redacted the recipient. */
export function arfComplaint(o: Original, opts: { verp: boolean }): string {
  const fields = [
    'Feedback-Type: abuse',
    'User-Agent: SomeGenerator/1.0',
    'Version: 1',
    `Original-Mail-From: <${opts.verp ? o.returnPath : 'redacted@alliance.example'}>`,
    `Original-Rcpt-To: <${opts.verp ? o.to : 'redacted'}>`,
    'Arrival-Date: Mon, 07 Dec 2026 04:00:00 +0000',
    'Reporting-MTA: dns; fbl.mailbox.example',
    'Source-IP: 192.0.2.1',
    'Reported-Domain: alliance.example',
  ];
  return report(
    [
      'From: <abuse@fbl.mailbox.example>',
      'To: <bounces@alliance.example>',
      'Subject: FW: Conference report',
      `Date: ${DATE}`,
      `Message-ID: ${id('fbl.mailbox.example')}`,
    ],
    'feedback-report',
    [
      {
        type: 'text/plain; charset="US-ASCII"',
        extra: 'Content-Transfer-Encoding: 7bit\r\n',
        body: 'This is an email abuse report for an email message\r\nreceived from IP 192.0.2.1 on Mon, 07 Dec 2026 04:00:00 +0000.\r\nFor more information about this format please see\r\nhttp://www.mipassoc.org/arf/.\r\n',
      },
      { type: 'message/feedback-report', body: `${fields.join('\r\n')}\r\n` },
      {
        type: 'message/rfc822',
        extra: 'Content-Disposition: inline\r\n',
        body: `${originalHeaders({ ...o, to: opts.verp ? o.to : 'redacted' })}\r\n\r\nThe newsletter text.\r\n`,
      },
    ],
  );
}

export function autoReply(from: string, bounceAddress: string): string {
  return [
    `From: ${from}`,
    `To: ${bounceAddress}`,
    'Subject: Automatic reply: Conference report',
    `Date: ${DATE}`,
    `Message-ID: ${id('lyon.example')}`,
    'Auto-Submitted: auto-replied',
    'X-Auto-Response-Suppress: All',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'I am out of the office until Monday.',
    '',
  ].join('\r\n');
}

export function garbage(bounceAddress: string): string {
  return [
    `From: someone@elsewhere.example`,
    `To: ${bounceAddress}`,
    'Subject: hello?',
    `Date: ${DATE}`,
    `Message-ID: ${id('elsewhere.example')}`,
    'Content-Type: text/plain',
    '',
    'Can you stop writing to my colleague? Thanks.',
    '',
  ].join('\r\n');
}

/** A delivery report that names no recipient at all. */
export function brokenReport(bounceAddress: string): string {
  return report(
    [
      `From: MAILER-DAEMON@broken.example`,
      `To: ${bounceAddress}`,
      'Subject: failure',
      `Date: ${DATE}`,
      `Message-ID: ${id('broken.example')}`,
    ],
    'delivery-status',
    [{ type: 'text/plain', body: 'something went wrong' }],
  );
}
