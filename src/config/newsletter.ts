import { z } from 'zod';
import { cronProblem } from '../domain/cron.js';
import { isTimeZone } from '../domain/schedule.js';
import { isHttpUrl } from '../domain/item.js';
import { normaliseLanguage } from '../domain/member.js';

const positiveInt = z.coerce.number().int('must be a whole number').positive('must be greater than 0');
const httpUrl = z.string().refine(isHttpUrl, 'must be an absolute http(s) URL');
/** A comma-separated environment value (or a YAML list) as a list of `item`s. */
const commaList = <T extends z.ZodTypeAny>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : v,
    z.array(item),
  );
const hexColor = z.string().regex(/^#(?:[0-9a-fA-F]{3}){1,2}$/, 'must be a hex colour such as #1d3557');
const host = z
  .string()
  .regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'must be a domain name such as news.example.org');

/** `true`/`false` from YAML, or the strings from the environment. */
const flag = z.preprocess(
  (v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v),
  z.boolean({ error: 'must be true or false' }),
);

/** A list from YAML, or a comma-separated string from the environment. */
const keyList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z.array(z.string().min(32, 'each key must be at least 32 characters')).min(1, 'needs at least one key'),
);

const branding = z.strictObject({
  /** Defaults to the top-level organisationName. */
  organisationName: z.string().min(1).max(200).optional(),
  /** Shown in every newsletter's footer; anti-spam laws ask for one. Lines separated by newlines. */
  postalAddress: z.string().trim().min(1).max(500).optional(),
  /** Absolute URL of the logo in the header; without one the header shows the organisation name. */
  logoUrl: httpUrl.optional(),
  logoAlt: z.string().min(1).max(200).optional(),
  /** Where the logo links; defaults to siteUrl. */
  websiteUrl: httpUrl.optional(),
  colors: z
    .strictObject({
      primary: hexColor.optional(),
      onPrimary: hexColor.optional(),
      background: hexColor.optional(),
      surface: hexColor.optional(),
      text: hexColor.optional(),
      muted: hexColor.optional(),
      link: hexColor.optional(),
    })
    .optional(),
  /** A stack of installed fonts; no web font is ever linked. */
  fontFamily: z
    .string()
    .regex(/^[A-Za-z0-9 ,'-]{1,200}$/, 'must be a font stack such as "Helvetica, Arial, sans-serif"')
    .optional(),
});

const digest = z.strictObject({
  enabled: flag.default(true),
  /** Cron pattern (minute hour day-of-month month day-of-week) read in `timezone`. */
  cron: z
    .string()
    .superRefine((v, ctx) => {
      const problem = cronProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('0 9 * * 1'),
  timezone: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris')
    .default('Europe/Paris'),
});

/** Newsletters to member contacts. Owned by the newsletter module; documented in docs/newsletters.md. */
const AUDIENCE = z.enum(['members', 'followers', 'both'], {
  error: 'must be "members", "followers" or "both"',
});

export const newsletterConfigSchema = z.strictObject({
  /** smtp://user:pass@host:port or smtps://...; unset = messages are written as .eml files in the data dir. */
  smtpUrl: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  /** Sender, e.g. "Alliance <news@alliance.example>". */
  from: z.string().min(3).default('Herald <herald@localhost>'),
  replyTo: z.string().min(3).optional(),
  /** Envelope sender (where bounces go); defaults to the From address. */
  returnPath: z.string().email('must be an email address').optional(),
  /**
   * Where bounces go, with VERP: each message's envelope sender is `<local>+<token>@<domain>`, the token
   * naming the newsletter and the contact. The local part may have at most 15 characters.
   */
  bounceAddress: z
    .string()
    .email('must be an email address')
    .refine(
      (v) => v.split('@')[0]!.length <= 15 && !v.includes('+'),
      'the part before @ must have at most 15 characters and no "+"',
    )
    .optional(),
  /** Optional second unsubscribe method in List-Unsubscribe, e.g. unsubscribe@alliance.example. */
  unsubscribeMailto: z.string().email('must be an email address').optional(),
  /** Simultaneous SMTP connections per worker process. */
  poolSize: positiveInt.max(50, 'must be at most 50').default(5),
  /** Messages per second across every worker (BullMQ's limiter). */
  messagesPerSecond: positiveInt.default(20),
  /** Jobs a newsletter worker runs at once (keep it at least poolSize). */
  concurrency: positiveInt.max(200, 'must be at most 200').default(10),
  /** RFC 2919 List-Id, e.g. members.alliance.example; default `newsletter.<messageIdHost>`. */
  listId: host.optional(),
  /** Display name of the list; default "<organisation> newsletter". */
  listName: z.string().min(1).max(100).optional(),
  /** Right-hand side of Message-IDs; default the From address's domain. */
  messageIdHost: host.optional(),
  /**
   * Keys signing unsubscribe/preferences/web links (the first signs, all verify, so keys can be rotated).
   * Default: derived from secretKey, or generated once and kept in <dataDir>/newsletter-token-key.
   */
  tokenKeys: keyList.optional(),
  dkim: z
    .strictObject({
      domain: host,
      selector: z.string().regex(/^[A-Za-z0-9._-]{1,63}$/, 'must be a DNS label such as mail2026'),
      /** PEM private key file (read at start; its content never appears in logs or answers). */
      keyFile: z.string().min(1),
    })
    .optional(),
  branding: branding.prefault({}),
  digest: digest.prefault({}),
  /** The language of contacts and content when none is known. */
  defaultLanguage: z
    .string()
    .refine((v) => normaliseLanguage(v) !== null, 'must be a supported language code such as en or fr')
    .default('en'),
  /** The bounce mailbox: read on a schedule and, with `idle`, as soon as mail arrives (IMAP IDLE). */
  bounceMailbox: z
    .strictObject({
      /** imaps://user:password@host/INBOX?processed=Herald/Processed&unparsed=Herald/Unparsed; unset = not read. */
      url: z
        .string()
        .regex(/^imaps?:\/\/[^@/]+@[^/]+/, 'must look like imaps://user:password@host/INBOX')
        .optional(),
      everyMs: positiveInt.min(10_000, 'must be at least 10000 (10 s)').default(300_000),
      idle: flag.default(true),
    })
    .prefault({}),
  /** Provider webhooks at POST /api/hooks/mail/:provider; a provider without its secret is refused. */
  webhooks: z
    .strictObject({
      mailgunSigningKey: z.string().min(16).optional(),
      postmarkUser: z.string().min(1).optional(),
      postmarkPassword: z.string().min(12, 'must have at least 12 characters').optional(),
      brevoToken: z.string().min(24, 'must have at least 24 characters').optional(),
      sendgridPublicKey: z.string().min(40).optional(),
      /** The SNS topic(s) SES publishes to: messages of other topics are refused, however well signed. */
      sesTopicArns: commaList(
        z.string().regex(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN'),
      ).optional(),
      /** Origins SNS signing certificates and subscription links may come from (`*` = one DNS label). */
      sesCertOrigins: commaList(
        z.string().regex(/^https?:\/\/[^/]+$/, 'must be an origin such as https://sns.*.amazonaws.com'),
      ).optional(),
      toleranceSeconds: positiveInt.max(3600).default(300),
    })
    .prefault({}),
  /**
   * Who each kind of newsletter goes to: `members` (contacts of member authorities), `followers`
   * (people who subscribed on the public form: contacts without an authority) or `both`. The form offers
   * only the kinds whose audience includes followers.
   */
  audiences: z
    .strictObject({
      announcement: AUDIENCE.default('both'),
      digest: AUDIENCE.default('both'),
    })
    .prefault({}),
  /** The public subscription form (`/subscribe`, double opt-in). */
  subscribe: z
    .strictObject({
      /** Subscription requests per client address per hour (more: 429). */
      perIpPerHour: positiveInt.max(10_000).default(10),
      /** Confirmation mails per address per day (more are not sent; the answer is the same). */
      perAddressPerDay: positiveInt.max(100).default(3),
    })
    .prefault({}),
  /** When soft bounces (temporary delivery failures reported later) suppress an address. */
  suppression: z
    .strictObject({
      softBounces: positiveInt.max(100).default(3),
      softBounceDays: positiveInt.max(365).default(15),
    })
    .prefault({}),
  /** Temporary (4xx) failures: how often and how long to retry one recipient. */
  retry: z
    .strictObject({
      maxAttempts: positiveInt.max(50).default(8),
      backoffMs: positiveInt.default(60_000),
      maxBackoffMs: positiveInt.default(3_600_000),
    })
    .prefault({}),
  /**
   * A message whose transmission started but whose reply never came (crash, dropped connection):
   * `hold` marks it `unknown` for a person to decide (never a duplicate); `resend` sends it again with
   * the same Message-ID (never a loss; receivers that deduplicate on Message-ID show it once).
   */
  unknownOutcome: z.enum(['hold', 'resend'], { error: 'must be "hold" or "resend"' }).default('hold'),
});

/** Environment variable -> path under `newsletter`. */
export const NEWSLETTER_ENV_VARS = {
  SMTP_URL: 'newsletter.smtpUrl',
  MAIL_FROM: 'newsletter.from',
  HERALD_NEWSLETTER_REPLY_TO: 'newsletter.replyTo',
  HERALD_NEWSLETTER_RETURN_PATH: 'newsletter.returnPath',
  HERALD_BOUNCE_ADDRESS: 'newsletter.bounceAddress',
  HERALD_NEWSLETTER_UNSUBSCRIBE_MAILTO: 'newsletter.unsubscribeMailto',
  HERALD_NEWSLETTER_POOL_SIZE: 'newsletter.poolSize',
  HERALD_NEWSLETTER_RATE: 'newsletter.messagesPerSecond',
  HERALD_NEWSLETTER_CONCURRENCY: 'newsletter.concurrency',
  HERALD_NEWSLETTER_LIST_ID: 'newsletter.listId',
  HERALD_NEWSLETTER_LIST_NAME: 'newsletter.listName',
  HERALD_NEWSLETTER_MESSAGE_ID_HOST: 'newsletter.messageIdHost',
  HERALD_NEWSLETTER_TOKEN_KEYS: 'newsletter.tokenKeys',
  HERALD_DKIM_DOMAIN: 'newsletter.dkim.domain',
  HERALD_DKIM_SELECTOR: 'newsletter.dkim.selector',
  HERALD_DKIM_KEY_FILE: 'newsletter.dkim.keyFile',
  HERALD_NEWSLETTER_POSTAL_ADDRESS: 'newsletter.branding.postalAddress',
  HERALD_NEWSLETTER_LOGO_URL: 'newsletter.branding.logoUrl',
  HERALD_DIGEST_ENABLED: 'newsletter.digest.enabled',
  HERALD_DIGEST_CRON: 'newsletter.digest.cron',
  HERALD_DIGEST_TIMEZONE: 'newsletter.digest.timezone',
  HERALD_NEWSLETTER_LANGUAGE: 'newsletter.defaultLanguage',
  HERALD_NEWSLETTER_RETRY_ATTEMPTS: 'newsletter.retry.maxAttempts',
  HERALD_NEWSLETTER_RETRY_BACKOFF_MS: 'newsletter.retry.backoffMs',
  HERALD_BOUNCE_IMAP_URL: 'newsletter.bounceMailbox.url',
  HERALD_BOUNCE_IMAP_EVERY_MS: 'newsletter.bounceMailbox.everyMs',
  HERALD_BOUNCE_IMAP_IDLE: 'newsletter.bounceMailbox.idle',
  MAILGUN_WEBHOOK_SIGNING_KEY: 'newsletter.webhooks.mailgunSigningKey',
  HERALD_POSTMARK_WEBHOOK_USER: 'newsletter.webhooks.postmarkUser',
  HERALD_POSTMARK_WEBHOOK_PASSWORD: 'newsletter.webhooks.postmarkPassword',
  HERALD_BREVO_WEBHOOK_TOKEN: 'newsletter.webhooks.brevoToken',
  HERALD_SENDGRID_WEBHOOK_PUBLIC_KEY: 'newsletter.webhooks.sendgridPublicKey',
  HERALD_SES_TOPIC_ARNS: 'newsletter.webhooks.sesTopicArns',
  HERALD_SES_CERT_ORIGINS: 'newsletter.webhooks.sesCertOrigins',
  HERALD_SOFT_BOUNCE_LIMIT: 'newsletter.suppression.softBounces',
  HERALD_SOFT_BOUNCE_DAYS: 'newsletter.suppression.softBounceDays',
  HERALD_NEWSLETTER_UNKNOWN_OUTCOME: 'newsletter.unknownOutcome',
} as const;
