// Herald pointed at the test fakes the way an operator points it at the real services: settings for the
// default Twitter and Facebook accounts (ids `twitter`, `facebook`) and the SMTP server, and the environment
// variables that carry them to a `herald` process on another machine.
import { ENV_VARS } from '../../src/config/env.js';
import { DEFAULT_FACEBOOK_PAGE, type FakeFacebook } from '../fakes/facebook.js';
import type { FakeSmtp } from '../fakes/smtp.js';
import { DEFAULT_TWITTER_ACCOUNT, type FakeTwitter } from '../fakes/twitter.js';
import { newsletterOverrides } from './newsletter.js';
import { ACCESS_SECRET, APP_KEY, APP_SECRET, SECRET_KEY } from './social.js';

export interface FakeServices {
  twitter?: FakeTwitter;
  facebook?: FakeFacebook;
  smtp?: FakeSmtp;
}

/**
 * Configuration overrides (for `startTestApp`) using the fakes given: live default accounts at the Twitter and
 * Facebook fakes, newsletters through the SMTP fake (with `newsletterOverrides`: https public URL, sender,
 * postal address, token key, fast retries, no digest). `extra` is merged in last (section by section).
 */
export function fakeSettings(
  fakes: FakeServices,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const { twitter, facebook, smtp } = fakes;
  const channels = {
    ...(twitter && {
      twitter: {
        appKey: APP_KEY,
        appSecret: APP_SECRET,
        accessToken: DEFAULT_TWITTER_ACCOUNT.accessToken,
        accessSecret: ACCESS_SECRET,
        apiUrl: twitter.url,
      },
    }),
    ...(facebook && {
      facebook: {
        pageId: DEFAULT_FACEBOOK_PAGE.id,
        pageToken: DEFAULT_FACEBOOK_PAGE.token,
        apiUrl: facebook.url,
      },
    }),
  };
  const settings: Record<string, unknown> = {
    secretKey: SECRET_KEY,
    channels,
    ...(smtp && newsletterOverrides(smtp)),
  };
  for (const [key, value] of Object.entries(extra))
    settings[key] = isSection(value) && isSection(settings[key]) ? { ...settings[key], ...value } : value;
  return settings;
}

/**
 * The environment variables (README, `src/config/env.ts`) that carry `settings` to a child process, e.g.
 * channels.twitter.apiUrl -> TWITTER_API_URL, lists comma-separated. Settings that no variable carries
 * (such as newsletter.retry.maxBackoffMs) are left out: the child uses its default.
 */
export function envFromSettings(settings: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, path] of Object.entries(ENV_VARS)) {
    const value = path
      .split('.')
      .reduce<unknown>((node, key) => (isSection(node) ? node[key] : undefined), settings);
    if (value === undefined || value === null || isSection(value)) continue;
    env[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return env;
}

function isSection(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
