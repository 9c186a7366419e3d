// Reading one message of the bounce mailbox: an RFC 3464 delivery status report (a bounce), an RFC 5965
// ARF report (a complaint), an auto-reply (ignored), or something a person must look at (with the reason).
// Who it is about comes from, in order: the VERP token of the address it was sent to, our Message-ID or
// Feedback-ID in the returned original, the report's recipient address.
import type { ParsedMail } from 'mailparser';
import type { FeedbackKind } from '../domain/mail-feedback.js';
import { parseNewsletterMessageId } from './message.js';
import { parseFeedbackId, verifyVerpToken, verpTokenOf } from './verp.js';

export interface ReportTarget {
  recipientId?: string | undefined;
  contactId?: string | undefined;
  newsletterId?: string | undefined;
  email?: string | undefined;
}

export interface ReadFeedback {
  kind: FeedbackKind;
  target: ReportTarget;
  detail: string;
}

export type Reading =
  | { type: 'feedback'; items: ReadFeedback[] }
  | { type: 'ignored'; reason: string }
  | { type: 'unparsed'; reason: string; newsletterId?: string | undefined };

export interface ReadOptions {
  /** HERALD_BOUNCE_ADDRESS, when VERP is on. */
  bounceAddress?: string | undefined;
  tokenKeys: readonly string[];
}

type Fields = Map<string, string>;

/** `Name: value` blocks separated by blank lines (RFC 3464 / 5965 bodies), names lowercased, folded lines joined. */
export function fieldBlocks(text: string): Fields[] {
  return text
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) => {
      const fields: Fields = new Map();
      let last = '';
      for (const line of block.split('\n')) {
        if (/^[ \t]/.test(line) && last) fields.set(last, `${fields.get(last)} ${line.trim()}`);
        else {
          const match = /^([A-Za-z0-9-]+)\s*:\s*(.*)$/.exec(line);
          if (!match) continue;
          last = match[1]!.toLowerCase();
          if (!fields.has(last)) fields.set(last, match[2]!.trim());
        }
      }
      return fields;
    })
    .filter((fields) => fields.size > 0);
}

/** `rfc822; Jane@Example.org` -> `Jane@Example.org`. */
const addressOf = (value: string | undefined): string | undefined => {
  const address = value?.split(';').pop()?.trim().replace(/^<|>$/g, '');
  return address && address.includes('@') ? address : undefined;
};

const PART_TYPES = {
  status: ['message/delivery-status', 'message/global-delivery-status'],
  feedback: ['message/feedback-report'],
};

/**
 * The body of the report's part of one of these types. mailparser folds message/delivery-status into
 * the text, so the parts are found in the source, between the report's boundaries.
 */
function partText(mail: ParsedMail, raw: string, types: readonly string[]): string | null {
  const attachment = mail.attachments.find((a) => types.includes(a.contentType.toLowerCase()));
  if (attachment) return attachment.content.toString('utf8');
  const boundary = reportParams(mail)?.boundary;
  if (!boundary) return null;
  for (const part of raw.split(`--${boundary}`)) {
    const cut = part.search(/\r?\n\r?\n/);
    if (cut < 0) continue;
    const head = part.slice(0, cut);
    const type = /^content-type:\s*([^;\s]+)/im.exec(head)?.[1]?.toLowerCase();
    if (!type || !types.includes(type)) continue;
    const body = part.slice(cut).replace(/^\r?\n\r?\n/, '');
    return /^content-transfer-encoding:\s*base64/im.test(head)
      ? Buffer.from(body, 'base64').toString('utf8')
      : body;
  }
  return null;
}

function reportParams(mail: ParsedMail): Record<string, string> | null {
  const type = mail.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined;
  return type?.value?.toLowerCase() === 'multipart/report' ? (type.params ?? {}) : null;
}

function reportType(mail: ParsedMail): string | null {
  const params = reportParams(mail);
  return params ? (params['report-type']?.toLowerCase() ?? '') : null;
}

/** Our own ids anywhere in the returned original (its headers may be a part, an attachment or inline text). */
function originalIds(raw: string): ReportTarget {
  const target: ReportTarget = {};
  for (const match of raw.matchAll(/^Message-ID:\s*(<[^>\r\n]+>)/gim)) {
    const ids = parseNewsletterMessageId(match[1]!);
    if (ids && /^nl_/.test(ids.newsletterId))
      return { newsletterId: ids.newsletterId, contactId: ids.contactId };
  }
  for (const match of raw.matchAll(/^Feedback-ID:\s*(\S+)/gim)) {
    const parsed = parseFeedbackId(match[1]!);
    if (parsed) target.newsletterId = parsed.newsletterId;
  }
  return target;
}

/** The recipient row named by a VERP address among these, when the token verifies. */
function verpRecipient(addresses: readonly string[], options: ReadOptions): string | undefined {
  if (!options.bounceAddress) return undefined;
  for (const address of addresses) {
    const token = verpTokenOf(address, options.bounceAddress);
    const recipientId = token ? verifyVerpToken(token, options.tokenKeys) : null;
    if (recipientId) return recipientId;
  }
  return undefined;
}

function deliveredTo(mail: ParsedMail): string[] {
  const list: string[] = [];
  for (const key of ['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to']) {
    const value = mail.headers.get(key);
    for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') list.push(v);
  }
  const to = mail.to ? (Array.isArray(mail.to) ? mail.to : [mail.to]) : [];
  for (const group of to) for (const a of group.value) if (a.address) list.push(a.address);
  return list;
}

/** RFC 3464: failed + 5.x.x is hard; failed + 4.x.x or delayed is soft; delivered, relayed, expanded are not bounces. */
export function bounceKind(action: string, status: string | undefined): FeedbackKind | null {
  const a = action.toLowerCase();
  if (a === 'delayed') return 'soft';
  if (a !== 'failed') return null;
  return status?.trim().startsWith('4') ? 'soft' : 'hard';
}

function readDsn(mail: ParsedMail, raw: string, options: ReadOptions): Reading {
  const text = partText(mail, raw, PART_TYPES.status);
  if (text === null)
    return {
      type: 'unparsed',
      reason: 'a delivery report without a message/delivery-status part',
      ...newsletterOf(raw),
    };
  const recipients = fieldBlocks(text).filter((f) => f.has('action'));
  if (recipients.length === 0)
    return {
      type: 'unparsed',
      reason: 'a delivery report naming no recipient (no Action field)',
      ...newsletterOf(raw),
    };
  const verp = recipients.length === 1 ? verpRecipient(deliveredTo(mail), options) : undefined;
  const ids = originalIds(raw);
  const items: ReadFeedback[] = [];
  for (const fields of recipients) {
    const kind = bounceKind(fields.get('action')!, fields.get('status'));
    if (!kind) continue;
    const email = addressOf(fields.get('final-recipient')) ?? addressOf(fields.get('original-recipient'));
    const detail =
      [fields.get('status'), fields.get('diagnostic-code')].filter(Boolean).join(' ') ||
      `action ${fields.get('action')}`;
    items.push({
      kind,
      detail,
      target: verp
        ? { recipientId: verp, email }
        : { ...(recipients.length === 1 ? ids : { newsletterId: ids.newsletterId }), email },
    });
  }
  if (items.length === 0) return { type: 'ignored', reason: 'a delivery report of successful delivery' };
  return { type: 'feedback', items };
}

const COMPLAINT_TYPES = new Set(['abuse', 'fraud', 'virus', 'other']);

function readArf(mail: ParsedMail, raw: string, options: ReadOptions): Reading {
  const text = partText(mail, raw, PART_TYPES.feedback);
  const fields = text ? fieldBlocks(text)[0] : undefined;
  const type = fields?.get('feedback-type')?.toLowerCase();
  if (!fields || !type)
    return {
      type: 'unparsed',
      reason: 'a feedback report without a message/feedback-report part or Feedback-Type',
      ...newsletterOf(raw),
    };
  if (type === 'not-spam') return { type: 'ignored', reason: 'a not-spam report' };
  const kind: FeedbackKind | null = COMPLAINT_TYPES.has(type)
    ? 'complaint'
    : type === 'opt-out'
      ? 'unsubscribe'
      : null;
  if (!kind) return { type: 'unparsed', reason: `a feedback report of type ${type}`, ...newsletterOf(raw) };
  const mailFrom = addressOf(fields.get('original-mail-from'));
  const recipientId = verpRecipient([...(mailFrom ? [mailFrom] : []), ...deliveredTo(mail)], options);
  const email = addressOf(fields.get('original-rcpt-to'));
  const target: ReportTarget = recipientId ? { recipientId, email } : { ...originalIds(raw), email };
  if (!target.recipientId && !target.contactId && !target.email) {
    return {
      type: 'unparsed',
      reason: 'a complaint whose original cannot be found (no VERP token, Message-ID or recipient)',
      ...newsletterOf(raw),
    };
  }
  const agent = fields.get('user-agent');
  return {
    type: 'feedback',
    items: [{ kind, target, detail: `feedback-type ${type}${agent ? ` from ${agent}` : ''}` }],
  };
}

const newsletterOf = (raw: string) => {
  const { newsletterId } = originalIds(raw);
  return newsletterId ? { newsletterId } : {};
};

const AUTO_SUBJECT =
  /^(auto(matic)?[ -]?(reply|response)|out of (the )?office|abwesenheit|absence|r[ée]ponse automatique|vacation)/i;

/** RFC 3834 Auto-Submitted, the common X- headers, or an out-of-office subject. */
export function isAutoReply(mail: ParsedMail): boolean {
  const auto = String(mail.headers.get('auto-submitted') ?? '').toLowerCase();
  if (auto && auto !== 'no') return true;
  if (
    mail.headers.has('x-autoreply') ||
    mail.headers.has('x-autorespond') ||
    mail.headers.has('x-auto-response-suppress')
  )
    return true;
  if (/^auto_reply$/i.test(String(mail.headers.get('precedence') ?? ''))) return true;
  return AUTO_SUBJECT.test(mail.subject ?? '');
}

export function readReport(mail: ParsedMail, raw: string, options: ReadOptions): Reading {
  const report = reportType(mail);
  if (report === 'delivery-status') return readDsn(mail, raw, options);
  if (report === 'feedback-report') return readArf(mail, raw, options);
  if (isAutoReply(mail)) return { type: 'ignored', reason: 'an auto-reply' };
  return {
    type: 'unparsed',
    reason: report ? `a report of type ${report}` : 'not a delivery status or feedback report',
    ...newsletterOf(raw),
  };
}
