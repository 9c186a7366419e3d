import { z } from 'zod';

/** The staff web pages. Owned by the web module (src/http/pages). */
export const webConfigSchema = z.strictObject({
  /** `auto`: Secure cookies when the request came over https (directly or via X-Forwarded-Proto) or publicUrl is https. */
  secureCookies: z
    .enum(['auto', 'always', 'never'], { error: 'must be auto, always or never' })
    .default('auto'),
  /** A session ends this long after sign-in, whatever happens. */
  sessionHours: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1-720')
    .max(720, 'must be 1-720')
    .default(12),
  /** A session ends after this long without a request. */
  idleMinutes: z.coerce
    .number()
    .int('must be a whole number')
    .min(5, 'must be 5-10080')
    .max(10_080, 'must be 5-10080')
    .default(120),
  /** UI language: templates/pages/i18n/<language>.json. */
  language: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'must be a language tag such as en or fr')
    .default('en'),
  loginLimit: z
    .strictObject({
      /** Failed sign-ins allowed per account per window. */
      perAccount: z.coerce.number().int().min(1).max(1_000).default(10),
      /** Failed sign-ins allowed per client IP address per window. */
      perIp: z.coerce.number().int().min(1).max(10_000).default(30),
      windowMinutes: z.coerce.number().int().min(1).max(1_440).default(15),
    })
    .prefault({}),
});

/** Environment variable -> path under `web`. */
export const WEB_ENV_VARS = {
  HERALD_SECURE_COOKIES: 'web.secureCookies',
  HERALD_SESSION_HOURS: 'web.sessionHours',
  HERALD_SESSION_IDLE_MINUTES: 'web.idleMinutes',
  HERALD_UI_LANGUAGE: 'web.language',
} as const;
