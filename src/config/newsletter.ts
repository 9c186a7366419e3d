import { z } from 'zod';

/** Newsletters to member contacts. Owned by the newsletter module. */
export const newsletterConfigSchema = z.strictObject({
  /** smtp://user:pass@host:port or smtps://...; unset = messages are written as .eml files in the data dir. */
  smtpUrl: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  /** Sender, e.g. "Alliance <news@alliance.example>". */
  from: z.string().min(3).default('Herald <herald@localhost>'),
});

/** Environment variable -> path under `newsletter`. */
export const NEWSLETTER_ENV_VARS = {
  SMTP_URL: 'newsletter.smtpUrl',
  MAIL_FROM: 'newsletter.from',
} as const;
