// What sending newsletters needs, resolved once per process from the configuration: signing keys,
// sender identity, List-Id, DKIM key, branding. Secrets stay inside this object; describe() is safe.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type AddressParser from 'nodemailer/lib/addressparser';
import type { HeraldConfig } from '../config/schema.js';
import { ConflictError } from '../domain/errors.js';
import type { Branding } from './branding.js';
import type { DkimConfig, MailAddress } from './message.js';
import { lazyRequire } from '../lazy-module.js';

const addressparser = lazyRequire<typeof AddressParser>('nodemailer/lib/addressparser');

export interface NewsletterSettings {
  /** The first signs; all verify. */
  tokenKeys: string[];
  from: MailAddress;
  replyTo: string | undefined;
  returnPath: string | undefined;
  /** HERALD_BOUNCE_ADDRESS: envelope senders become `local+<VERP token>@domain`. */
  bounceAddress: string | undefined;
  unsubscribeMailto: string | undefined;
  messageIdHost: string;
  list: { id: string; name: string };
  dkim: DkimConfig | undefined;
  branding: Branding;
  /** Missing branding that sending over SMTP needs (previews and the .eml files show a notice instead). */
  brandingGaps: string[];
  publicUrl: string;
  emlDir: string;
  smtpUrl: string | undefined;
  defaultLanguage: string;
  timezone: string;
}

const cache = new WeakMap<HeraldConfig, NewsletterSettings>();

export function newsletterSettings(config: HeraldConfig): NewsletterSettings {
  let settings = cache.get(config);
  if (!settings) {
    settings = resolveSettings(config);
    cache.set(config, settings);
  }
  return settings;
}

function resolveSettings(config: HeraldConfig): NewsletterSettings {
  const nl = config.newsletter;
  const from = parseFrom(nl.from);
  const messageIdHost = nl.messageIdHost ?? from.address.split('@')[1] ?? 'localhost';
  const organisationName = nl.branding.organisationName ?? config.organisationName;
  const { branding, gaps } = resolveBranding(config, organisationName);
  return {
    tokenKeys: resolveTokenKeys(config),
    from,
    replyTo: nl.replyTo,
    returnPath: nl.returnPath,
    bounceAddress: nl.bounceAddress,
    unsubscribeMailto: nl.unsubscribeMailto,
    messageIdHost,
    list: {
      id: nl.listId ?? `newsletter.${messageIdHost}`,
      name: nl.listName ?? `${organisationName} newsletter`,
    },
    dkim: nl.dkim ? readDkim(nl.dkim) : undefined,
    branding,
    brandingGaps: gaps,
    publicUrl: config.publicUrl,
    emlDir: path.join(config.dataDir, 'mail'),
    smtpUrl: nl.smtpUrl,
    defaultLanguage: nl.defaultLanguage,
    timezone: config.timezone,
  };
}

export function parseFrom(value: string): MailAddress {
  const [first] = addressparser()(value, { flatten: true });
  if (!first?.address || !first.address.includes('@')) {
    throw new ConflictError(
      `MAIL_FROM (newsletter.from) "${value}" has no email address`,
      'newsletter_not_configured',
    );
  }
  return first.name ? { name: first.name, address: first.address } : { address: first.address };
}

const POSTAL_NOTICE = '(No postal address configured: set newsletter.branding.postalAddress)';

function resolveBranding(
  config: HeraldConfig,
  organisationName: string,
): { branding: Branding; gaps: string[] } {
  const b = config.newsletter.branding;
  const gaps = b.postalAddress
    ? []
    : [
        'newsletter.branding.postalAddress (HERALD_NEWSLETTER_POSTAL_ADDRESS): anti-spam laws ask for a postal address in every newsletter',
      ];
  return {
    branding: {
      organisationName,
      postalAddress: b.postalAddress ?? POSTAL_NOTICE,
      logoUrl: b.logoUrl,
      logoAlt: b.logoAlt,
      websiteUrl: b.websiteUrl ?? config.siteUrl,
      colors: b.colors,
      fontFamily: b.fontFamily,
    },
    gaps,
  };
}

export function readDkim(dkim: { domain: string; selector: string; keyFile: string }): DkimConfig {
  let privateKey: string;
  try {
    privateKey = readFileSync(dkim.keyFile, 'utf8');
  } catch (error) {
    throw new ConflictError(
      `newsletter.dkim.keyFile: cannot read ${dkim.keyFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      'newsletter_not_configured',
    );
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    throw new ConflictError(
      `newsletter.dkim.keyFile: ${dkim.keyFile} is not a PEM private key`,
      'newsletter_not_configured',
    );
  }
  return { domainName: dkim.domain, keySelector: dkim.selector, privateKey };
}

const KEY_FILE = 'newsletter-token-key';

/**
 * Configured keys; else one derived from HERALD_SECRET_KEY; plus, for verification, a key generated
 * earlier in the data dir (links sent before a secret key was set keep working). Without either, a
 * key is generated once and kept in <dataDir>/newsletter-token-key (mode 0600).
 */
function resolveTokenKeys(config: HeraldConfig): string[] {
  const file = path.join(config.dataDir, KEY_FILE);
  const stored = existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
  const primary =
    config.newsletter.tokenKeys ??
    (config.secretKey ? [deriveKey(config.secretKey)] : [stored ?? createKeyFile(file)]);
  return [...new Set([...primary, ...(stored ? [stored] : [])])];
}

function deriveKey(secret: string): string {
  return createHmac('sha256', secret).update('herald newsletter link tokens v1').digest('hex');
}

function createKeyFile(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
}

/** Refuses to start a send that would produce non-compliant mail; names what to configure. */
export function assertReadyToSend(settings: NewsletterSettings): void {
  const problems: string[] = [];
  if (settings.smtpUrl) problems.push(...settings.brandingGaps);
  const url = new URL(settings.publicUrl);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !loopback) {
    problems.push(
      `HERALD_PUBLIC_URL (publicUrl) must be https: unsubscribe links must be https (RFC 8058); it is ${settings.publicUrl}`,
    );
  }
  if (problems.length > 0)
    throw new ConflictError(
      `newsletters cannot be sent yet: ${problems.join('; ')}`,
      'newsletter_not_configured',
    );
}
