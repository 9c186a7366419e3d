// Provider webhooks (POST /api/hooks/mail/:provider): each proves itself the provider's own way, and
// its events become feedback reports (hard, soft, complaint, unsubscribe). A provider event is applied
// once, whoever sends it again (the event id is kept); stale signed calls are refused.
import { createHmac, createPublicKey, createVerify, timingSafeEqual } from 'node:crypto';
import type { FeedbackKind } from '../domain/mail-feedback.js';
import type { FeedbackReport } from './feedback.js';
import { parseNewsletterMessageId } from './message.js';

export interface HookSecrets {
  mailgunSigningKey?: string | undefined;
  postmarkUser?: string | undefined;
  postmarkPassword?: string | undefined;
  brevoToken?: string | undefined;
  /** SendGrid's verification key: base64 DER (SPKI) of the ECDSA public key, as its settings page shows it. */
  sendgridPublicKey?: string | undefined;
  /** How old a signed call may be. */
  toleranceSeconds: number;
}

export interface HookRequest {
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  now: number;
}

export type HookProvider = 'mailgun' | 'postmark' | 'brevo' | 'sendgrid';

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};
const header = (r: HookRequest, name: string) => {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const fresh = (seconds: number, r: HookRequest, tolerance: number) =>
  Number.isFinite(seconds) && Math.abs(r.now / 1000 - seconds) <= tolerance;

/** Our newsletter and contact from the Message-ID the provider echoes back, when it is ours. */
function byMessageId(messageId: unknown): Pick<FeedbackReport, 'contactId' | 'newsletterId'> {
  const ids =
    typeof messageId === 'string'
      ? parseNewsletterMessageId(messageId.includes('<') ? messageId : `<${messageId}>`)
      : null;
  return ids && ids.newsletterId.startsWith('nl_')
    ? { contactId: ids.contactId, newsletterId: ids.newsletterId }
    : {};
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

// --- Verification -------------------------------------------------------------------------------

export function verifyHook(provider: HookProvider, r: HookRequest, s: HookSecrets): boolean {
  switch (provider) {
    case 'mailgun': {
      if (!s.mailgunSigningKey) return false;
      const sig = obj(obj(parseJson(r.raw)).signature);
      const [timestamp, token, signature] = [str(sig.timestamp), str(sig.token), str(sig.signature)];
      if (!timestamp || !token || !signature || !fresh(Number(timestamp), r, s.toleranceSeconds))
        return false;
      return sameText(
        createHmac('sha256', s.mailgunSigningKey)
          .update(timestamp + token)
          .digest('hex'),
        signature,
      );
    }
    case 'postmark': {
      if (!s.postmarkUser || !s.postmarkPassword) return false;
      const expected = `Basic ${Buffer.from(`${s.postmarkUser}:${s.postmarkPassword}`).toString('base64')}`;
      return sameText(header(r, 'authorization') ?? '', expected);
    }
    case 'brevo':
      return !!s.brevoToken && sameText(header(r, 'authorization') ?? '', `Bearer ${s.brevoToken}`);
    case 'sendgrid': {
      const signature = header(r, 'x-twilio-email-event-webhook-signature');
      const timestamp = header(r, 'x-twilio-email-event-webhook-timestamp');
      if (
        !s.sendgridPublicKey ||
        !signature ||
        !timestamp ||
        !fresh(Number(timestamp), r, s.toleranceSeconds)
      )
        return false;
      try {
        const key = createPublicKey({
          key: Buffer.from(s.sendgridPublicKey, 'base64'),
          format: 'der',
          type: 'spki',
        });
        return createVerify('sha256')
          .update(timestamp)
          .update(r.raw)
          .verify(key, Buffer.from(signature, 'base64'));
      } catch {
        return false;
      }
    }
  }
}

export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
}

// --- Events ------------------------------------------------------------------------------------

function report(
  kind: FeedbackKind | null,
  source: HookProvider,
  eventId: string,
  email: string,
  messageId: unknown,
  detail: string,
): FeedbackReport[] {
  if (!kind || !eventId || (!email && !byMessageId(messageId).contactId)) return [];
  return [
    {
      kind,
      source,
      eventId,
      email: email || undefined,
      ...byMessageId(messageId),
      detail: detail.slice(0, 500) || kind,
    },
  ];
}

function mailgunEvents(body: unknown): FeedbackReport[] {
  const e = obj(obj(body)['event-data']);
  const event = str(e.event);
  const kind: FeedbackKind | null =
    event === 'failed'
      ? str(e.severity) === 'permanent'
        ? 'hard'
        : 'soft'
      : event === 'complained'
        ? 'complaint'
        : event === 'unsubscribed'
          ? 'unsubscribe'
          : null;
  const status = obj(e['delivery-status']);
  return report(
    kind,
    'mailgun',
    str(e.id),
    str(e.recipient),
    obj(obj(e.message).headers)['message-id'],
    [str(status.code), str(status.description) || str(status.message) || str(e.reason)]
      .filter(Boolean)
      .join(' '),
  );
}

function postmarkEvents(body: unknown): FeedbackReport[] {
  const e = obj(body);
  const type = str(e.RecordType);
  if (type === 'Bounce') {
    const bounce = str(e.Type);
    const kind: FeedbackKind | null =
      bounce === 'HardBounce' || bounce === 'BadEmailAddress'
        ? 'hard'
        : ['SoftBounce', 'Transient', 'DnsError'].includes(bounce)
          ? 'soft'
          : bounce === 'SpamComplaint'
            ? 'complaint'
            : null;
    return report(
      kind,
      'postmark',
      `bounce-${str(e.ID)}`,
      str(e.Email),
      e.MessageID,
      `${bounce}: ${str(e.Description)} ${str(e.Details)}`.trim(),
    );
  }
  if (type === 'SpamComplaint')
    return report(
      'complaint',
      'postmark',
      `complaint-${str(e.ID)}`,
      str(e.Email),
      e.MessageID,
      'spam complaint',
    );
  if (type === 'SubscriptionChange' && e.SuppressSending === true) {
    return report(
      str(e.SuppressionReason) === 'SpamComplaint' ? 'complaint' : 'unsubscribe',
      'postmark',
      `subscription-${str(e.MessageID)}-${str(e.ChangedAt)}`,
      str(e.Recipient),
      e.MessageID,
      str(e.SuppressionReason),
    );
  }
  return [];
}

const BREVO_KINDS: Record<string, FeedbackKind> = {
  hard_bounce: 'hard',
  hardBounce: 'hard',
  soft_bounce: 'soft',
  softBounce: 'soft',
  spam: 'complaint',
  complaint: 'complaint',
  unsubscribed: 'unsubscribe',
  unsubscribe: 'unsubscribe',
};

function brevoEvents(body: unknown): FeedbackReport[] {
  const e = obj(body);
  const event = str(e.event);
  // Brevo sends no event id: the message, the event and its time name it.
  const id = [str(e['message-id']), event, str(e.ts_event) || str(e.date)].join('|');
  return report(
    BREVO_KINDS[event] ?? null,
    'brevo',
    id,
    str(e.email),
    e['message-id'],
    str(e.reason) || event,
  );
}

function sendgridEvents(body: unknown): FeedbackReport[] {
  return (Array.isArray(body) ? body : []).flatMap((item) => {
    const e = obj(item);
    const event = str(e.event);
    const kind: FeedbackKind | null =
      event === 'bounce'
        ? str(e.type) === 'blocked'
          ? 'soft'
          : 'hard'
        : event === 'spamreport'
          ? 'complaint'
          : event === 'unsubscribe' || event === 'group_unsubscribe'
            ? 'unsubscribe'
            : null;
    return report(
      kind,
      'sendgrid',
      str(e.sg_event_id),
      str(e.email),
      e['smtp-id'],
      [str(e.status), str(e.reason)].filter(Boolean).join(' '),
    );
  });
}

export function hookEvents(provider: HookProvider, body: unknown): FeedbackReport[] {
  switch (provider) {
    case 'mailgun':
      return mailgunEvents(body);
    case 'postmark':
      return postmarkEvents(body);
    case 'brevo':
      return brevoEvents(body);
    case 'sendgrid':
      return sendgridEvents(body);
  }
}

export const HOOK_PROVIDERS: readonly HookProvider[] = ['mailgun', 'postmark', 'brevo', 'sendgrid'];
