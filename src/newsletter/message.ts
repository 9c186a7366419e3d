// The nodemailer message for one recipient of one newsletter.
import type { SendMailOptions } from 'nodemailer';
import type { RenderedNewsletter } from './render.js';

export interface MailAddress {
  name?: string | undefined;
  address: string;
}

export interface DkimConfig {
  /** The signing domain (d=), normally the From domain. */
  domainName: string;
  /** The DNS selector (s=): the public key is at `<selector>._domainkey.<domain>`. */
  keySelector: string;
  /** PEM. */
  privateKey: string;
}

/**
 * Signed headers. nodemailer 10.6's default list already has the List-* headers; we still name them,
 * since RFC 8058 one-click only counts when the signature covers List-Unsubscribe and -Post.
 */
// prettier-ignore
export const DKIM_SIGNED_HEADERS = [
  'From', 'Sender', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'To', 'Cc', 'MIME-Version', 'Content-Type',
  'Content-Transfer-Encoding', 'List-Id', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'Feedback-ID',
].join(':');

export interface NewsletterMessageInput {
  newsletterId: string;
  contactId: string;
  /** MAIL_FROM: `Name <address>` or an address. */
  from: string | MailAddress;
  to: MailAddress;
  replyTo?: string | undefined;
  /** Envelope sender (bounces go there, a VERP address when a bounce address is set); defaults to the From address. */
  returnPath?: string | undefined;
  /** Gmail's feedback loop identifier (see feedbackId in verp.ts). */
  feedbackId?: string | undefined;
  content: RenderedNewsletter;
  /** The one-click unsubscribe URL (https; http only for loopback hosts in development). */
  unsubscribeUrl: string;
  /** Optional second unsubscribe method, e.g. `unsubscribe@herald.example.org`. */
  unsubscribeMailto?: string | undefined;
  /** RFC 2919 list identifier, e.g. `members.herald.example.org`, and its display name. */
  list: { id: string; name?: string | undefined };
  /** Right-hand side of the Message-ID, e.g. the sending domain. */
  messageIdHost: string;
  dkim?: DkimConfig | undefined;
}

const ID_PART = /^[A-Za-z0-9_-]{1,128}$/;
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/**
 * `<newsletterId.contactId@host>`: the same for every attempt, so a resend after an unknown outcome is
 * recognisable (receivers and the .eml directory deduplicate on it).
 */
export function newsletterMessageId(newsletterId: string, contactId: string, host: string): string {
  if (!ID_PART.test(newsletterId) || !ID_PART.test(contactId)) {
    throw new Error('newsletter and contact ids in a Message-ID must be letters, digits, "-" or "_"');
  }
  if (!DOT_ATOM.test(host)) throw new Error(`invalid Message-ID host "${host}"`);
  return `<${newsletterId}.${contactId}@${host}>`;
}

/** [newsletterId, contactId] from a Message-ID made by newsletterMessageId (e.g. in a bounce report). */
export function parseNewsletterMessageId(
  messageId: string,
): { newsletterId: string; contactId: string } | null {
  const match = /^<?([A-Za-z0-9_-]{1,128})\.([A-Za-z0-9_-]{1,128})@[^>]+>?$/.exec(messageId.trim());
  return match ? { newsletterId: match[1] ?? '', contactId: match[2] ?? '' } : null;
}

function checkUnsubscribeUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('unsubscribeUrl must be an absolute URL');
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error('unsubscribeUrl must be https (RFC 8058)');
  }
}

export function buildNewsletterMessage(input: NewsletterMessageInput): SendMailOptions {
  checkUnsubscribeUrl(input.unsubscribeUrl);
  const unsubscribe = input.unsubscribeMailto
    ? [[input.unsubscribeUrl, input.unsubscribeMailto]]
    : input.unsubscribeUrl;
  const message: SendMailOptions = {
    messageId: newsletterMessageId(input.newsletterId, input.contactId, input.messageIdHost),
    from: input.from,
    to: input.to,
    subject: input.content.subject,
    html: input.content.html,
    text: input.content.text,
    // nodemailer formats these: List-Unsubscribe as <url>[, <mailto:..>], List-ID as "name" <id>.
    list: {
      id: input.list.name ? { url: input.list.id, comment: input.list.name } : input.list.id,
      unsubscribe,
    },
    headers: {
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      ...(input.feedbackId ? { 'Feedback-ID': input.feedbackId } : {}),
    },
  };
  if (input.replyTo) message.replyTo = input.replyTo;
  if (input.returnPath) message.envelope = { from: input.returnPath, to: input.to.address };
  if (input.dkim) message.dkim = { ...input.dkim, headerFieldNames: DKIM_SIGNED_HEADERS };
  return message;
}
