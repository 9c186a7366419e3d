// Amazon SES events through SNS: the message's signature is checked with the certificate at its
// SigningCertURL, fetched (through safeFetch, no redirects) only from the SNS hosts on the allow-list;
// a SubscriptionConfirmation is confirmed by visiting its SubscribeURL (same allow-list).
import { createVerify, X509Certificate } from 'node:crypto';
import type { FeedbackKind } from '../domain/mail-feedback.js';
import { safeFetch } from '../net/safe-fetch.js';
import type { FeedbackReport } from './feedback.js';
import { parseNewsletterMessageId } from './message.js';

/** SNS signs with certificates from these origins; `*` stands for one DNS label (the region). */
export const SNS_ORIGINS = ['https://sns.*.amazonaws.com', 'https://sns.*.amazonaws.com.cn'];
/** SNS retries a delivery for up to an hour: older messages are stale. */
const MAX_AGE_MS = 3_600_000;

type Json = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function allowedOrigin(url: string, origins: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const origin = `${u.protocol}//${u.host}`;
  return origins.some((pattern) =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[a-z0-9-]+')}$`,
      'i',
    ).test(origin),
  );
}

const SIGNED_FIELDS: Record<string, string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

export function snsStringToSign(m: Json): string | null {
  const fields = SIGNED_FIELDS[str(m.Type)];
  if (!fields) return null;
  return fields
    .filter((f) => f !== 'Subject' || typeof m.Subject === 'string')
    .map((f) => `${f}\n${str(m[f])}\n`)
    .join('');
}

export interface SnsCheck {
  origins: readonly string[];
  allowPrivate: boolean;
  now: number;
}

const certificates = new Map<string, Promise<string>>();

function certificate(url: string, check: SnsCheck): Promise<string> {
  let cert = certificates.get(url);
  if (!cert) {
    cert = safeFetch(url, {
      allowPrivate: check.allowPrivate,
      maxRedirects: 0,
      maxBytes: 64_000,
      accept: '*/*',
    }).then((r) => {
      if (r.notModified) throw new Error('unexpected 304');
      new X509Certificate(r.body); // refuses anything that is not a certificate
      return r.body;
    });
    cert.catch(() => certificates.delete(url));
    if (certificates.size > 20) certificates.clear();
    certificates.set(url, cert);
  }
  return cert;
}

/** Whether the SNS message is genuine, signed by a certificate from an allowed origin, and fresh. */
export async function verifySns(m: Json, check: SnsCheck): Promise<boolean> {
  const text = snsStringToSign(m);
  const certUrl = str(m.SigningCertURL);
  const version = str(m.SignatureVersion);
  if (!text || !allowedOrigin(certUrl, check.origins) || (version !== '1' && version !== '2')) return false;
  const at = Date.parse(str(m.Timestamp));
  if (!Number.isFinite(at) || Math.abs(check.now - at) > MAX_AGE_MS) return false;
  try {
    const pem = await certificate(certUrl, check);
    return createVerify(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256')
      .update(text, 'utf8')
      .verify(pem, Buffer.from(str(m.Signature), 'base64'));
  } catch {
    return false;
  }
}

/** Confirms a subscription by visiting its SubscribeURL (allowed origins only). */
export async function confirmSubscription(m: Json, check: SnsCheck): Promise<boolean> {
  const url = str(m.SubscribeURL);
  if (!allowedOrigin(url, check.origins)) return false;
  await safeFetch(url, { allowPrivate: check.allowPrivate, maxRedirects: 0, accept: '*/*' });
  return true;
}

function mailTarget(mail: Json): Pick<FeedbackReport, 'contactId' | 'newsletterId'> {
  const headers = Array.isArray(mail.headers) ? (mail.headers as Json[]) : [];
  const header = headers.find((h) => str(h.name).toLowerCase() === 'message-id');
  const ids = header ? parseNewsletterMessageId(str(header.value)) : null;
  return ids && ids.newsletterId.startsWith('nl_')
    ? { contactId: ids.contactId, newsletterId: ids.newsletterId }
    : {};
}

/** The bounces and complaints in an SES notification (the SNS message's Message, JSON). */
export function sesEvents(m: Json): FeedbackReport[] {
  let n: Json;
  try {
    n = JSON.parse(str(m.Message)) as Json;
  } catch {
    return [];
  }
  const type = str(n.notificationType ?? n.eventType);
  const mail = (n.mail ?? {}) as Json;
  const target = mailTarget(mail);
  const base = str(m.MessageId);
  if (type === 'Bounce') {
    const bounce = (n.bounce ?? {}) as Json;
    const kind: FeedbackKind | null =
      str(bounce.bounceType) === 'Permanent'
        ? 'hard'
        : str(bounce.bounceType) === 'Transient'
          ? 'soft'
          : null;
    const recipients = Array.isArray(bounce.bouncedRecipients) ? (bounce.bouncedRecipients as Json[]) : [];
    if (!kind) return [];
    return recipients.map((r, i) => ({
      kind,
      source: 'ses',
      eventId: `${base}#${i}`,
      email: str(r.emailAddress),
      ...(recipients.length === 1 ? target : {}),
      detail: [str(r.status), str(r.diagnosticCode)].filter(Boolean).join(' ') || str(bounce.bounceSubType),
    }));
  }
  if (type === 'Complaint') {
    const complaint = (n.complaint ?? {}) as Json;
    const recipients = Array.isArray(complaint.complainedRecipients)
      ? (complaint.complainedRecipients as Json[])
      : [];
    return recipients.map((r, i) => ({
      kind: 'complaint',
      source: 'ses',
      eventId: `${base}#${i}`,
      email: str(r.emailAddress),
      ...(recipients.length === 1 ? target : {}),
      detail: str(complaint.complaintFeedbackType) || 'complaint',
    }));
  }
  return [];
}
