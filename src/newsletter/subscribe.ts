// Double opt-in from the public form. A request is written, then one confirmation mail goes out with a
// signed link; nothing is subscribed until the link is used (POST: a mail scanner's GET never confirms).
// Confirming makes the person a contact (a follower: no authority) or adds the chosen newsletters to the
// contact they already are, lifts any suppression of the address (this is the way back the complaint
// and erasure rules point to), and records the consent: when, from where, under which wording.
import type { SendMailOptions } from 'nodemailer';
import type { HeraldConfig } from '../config/schema.js';
import type { Subscriptions } from '../domain/member.js';
import type { SubscribeRequest } from '../domain/subscribe.js';
import { CURRENT_WORDING, confirmDeadline } from '../domain/subscribe.js';
import type { Store } from '../store/db.js';
import { nowIso } from '../store/db.js';
import { recordAudit } from '../store/audit.js';
import { addressHash, liftSuppression, suppressionSalt } from '../store/mail-feedback.js';
import { findContactByEmail, insertContact, setContactStatus, updateContact } from '../store/members.js';
import {
  countMailed,
  findSubscriptionRequest,
  insertConsent,
  insertSubscriptionRequest,
  markConfirmed,
  markNotMailed,
} from '../store/subscriptions.js';
import { newsletterSettings } from './settings.js';
import { createMailTransport } from './transport.js';
import { LINK_PATHS, signToken, tokenUrl } from './unsubscribe-token.js';
import { subscribeText } from './subscribe-pages.js';

export interface SubscribeDeps {
  store: Store;
  config: HeraldConfig;
}

/** The newsletters followers may choose: the kinds whose audience includes them. */
export function offeredSubscriptions(config: HeraldConfig): Array<keyof Subscriptions> {
  const a = config.newsletter.audiences;
  const offered: Array<keyof Subscriptions> = [];
  if (a.announcement !== 'members') offered.push('announcements');
  if (a.digest !== 'members') offered.push('digest');
  return offered;
}

/**
 * Records the request and mails the link, unless the honeypot was filled or the address already got
 * `perAddressPerDay` confirmation mails today. The caller answers the same in every case.
 */
export async function requestSubscription(deps: SubscribeDeps, request: SubscribeRequest): Promise<void> {
  if (request.honeypot) return;
  const { store, config } = deps;
  const salt = await suppressionSalt(store.db);
  const hash = addressHash(salt, request.email);
  const now = new Date();
  const dayAgo = new Date(now.getTime() - 86_400_000).toISOString();
  if ((await countMailed(store.db, hash, dayAgo)) >= config.newsletter.subscribe.perAddressPerDay) return;
  const id = await insertSubscriptionRequest(store.db, {
    addressHash: hash,
    email: request.email,
    language: request.language,
    subscriptions: request.subscriptions,
    wordingVersion: CURRENT_WORDING,
    source: request.source ?? `${config.publicUrl.replace(/\/+$/, '')}/subscribe`,
    requestedAt: now.toISOString(),
    expiresAt: confirmDeadline(now),
  });
  try {
    await mailConfirmation(config, id, request);
  } catch (error) {
    await markNotMailed(store.db, id);
    throw error;
  }
}

function confirmationMessage(config: HeraldConfig, id: string, request: SubscribeRequest): SendMailOptions {
  const settings = newsletterSettings(config);
  const url = tokenUrl(
    config.publicUrl,
    LINK_PATHS.confirm,
    signToken({ purpose: 'confirm', contactId: id }, settings.tokenKeys[0]!),
  );
  const text = subscribeText(request.language, settings.branding.organisationName, url);
  return {
    messageId: `<${id}@${settings.messageIdHost}>`,
    from: settings.from,
    to: request.email,
    subject: text.subject,
    text: text.body,
    headers: { 'Auto-Submitted': 'auto-generated' },
    ...(settings.bounceAddress ? { envelope: { from: settings.bounceAddress, to: request.email } } : {}),
    ...(settings.dkim ? { dkim: settings.dkim } : {}),
  };
}

async function mailConfirmation(config: HeraldConfig, id: string, request: SubscribeRequest): Promise<void> {
  const settings = newsletterSettings(config);
  const transport = createMailTransport({
    smtpUrl: settings.smtpUrl,
    emlDir: settings.emlDir,
    maxConnections: 1,
  });
  try {
    await transport.send(confirmationMessage(config, id, request));
  } finally {
    transport.close();
  }
}

export type ConfirmOutcome =
  | { outcome: 'confirmed' | 'already'; email: string; language: string }
  | { outcome: 'expired'; language: string }
  | { outcome: 'invalid' };

/** Confirms a request (a replayed link answers `already` and changes nothing). */
export async function confirmSubscription(deps: SubscribeDeps, requestId: string): Promise<ConfirmOutcome> {
  const salt = await suppressionSalt(deps.store.db);
  return deps.store.transaction(async (trx) => {
    const request = await findSubscriptionRequest(trx, requestId);
    if (!request) return { outcome: 'invalid' };
    const shown = { email: request.email, language: request.language };
    if (request.confirmedAt) return { outcome: 'already', ...shown };
    const now = nowIso();
    if (request.expiresAt <= now) return { outcome: 'expired', language: request.language };
    const existing = await findContactByEmail(trx, request.email);
    const contact = existing
      ? await updateContact(trx, existing.id, {
          language: request.language,
          subscriptions: {
            announcements: existing.subscriptions.announcements || request.subscriptions.announcements,
            digest: existing.subscriptions.digest || request.subscriptions.digest,
          },
        })
      : await insertContact(trx, {
          authorityId: null,
          name: '',
          email: request.email,
          language: request.language,
          subscriptions: request.subscriptions,
        });
    if (existing && existing.status !== 'active')
      await setContactStatus(trx, contact.id, 'active', 'confirmed a subscription (double opt-in)');
    const lifted = await liftSuppression(trx, addressHash(salt, request.email));
    await markConfirmed(trx, request.id, contact.id, now);
    await insertConsent(trx, {
      contactId: contact.id,
      requestId: request.id,
      subscriptions: request.subscriptions,
      language: request.language,
      wordingVersion: request.wordingVersion,
      source: request.source,
      requestedAt: request.requestedAt,
      givenAt: now,
    });
    await recordAudit(trx, {
      actor: 'contact',
      action: 'contact_subscribed',
      subjectType: 'contact',
      subjectId: contact.id,
      details: {
        request: request.id,
        follower: contact.authorityId === null,
        wording: request.wordingVersion,
        suppressionLifted: lifted,
        previousStatus: existing?.status ?? null,
      },
    });
    return { outcome: 'confirmed', ...shown };
  });
}
