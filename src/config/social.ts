import { z } from 'zod';
import { PLATFORMS, platformRows } from '../channels/platforms.js';
import type { PlatformRow } from '../channels/adapter.js';
import { isHttpUrl } from '../domain/item.js';
import type { PlatformId } from '../domain/platform.js';

// The `channels` section's simple set-up: one account per platform from environment variables (or the same
// keys in the file), a secrets file, and the platform request timeout. The keys and variables of each
// platform come from its row in the platform table.

const secret = z.string().trim().min(1, 'must not be empty').optional();
const apiUrl = z.string().refine(isHttpUrl, 'must be an absolute http(s) URL').optional();

/**
 * `channels.<platform>`: the default account's credentials, and `apiUrl`, the platform's API address (tests,
 * proxies), also the default for the file's accounts of that platform.
 */
function defaultAccountSchema(row: PlatformRow) {
  const keys = Object.keys(row.envVars).filter((k) => k !== 'apiUrl');
  return z.strictObject({ ...Object.fromEntries(keys.map((k) => [k, secret])), apiUrl }).optional();
}

type DefaultAccountFields = Record<PlatformId, ReturnType<typeof defaultAccountSchema>>;

export const socialConfigFields = {
  ...(Object.fromEntries(
    platformRows().map((row) => [row.id, defaultAccountSchema(row)]),
  ) as DefaultAccountFields),
  /** YAML or JSON file mapping account ids to their credentials (kept out of the main configuration). */
  secretsFile: z.string().min(1).optional(),
  /** How long one request to a platform may take. */
  timeoutMs: z.coerce
    .number()
    .int('must be a whole number')
    .min(1_000, 'must be 1000-120000')
    .max(120_000, 'must be 1000-120000')
    .default(15_000),
};

/** Environment variable -> configuration path, for the default accounts. */
export const SOCIAL_ENV_VARS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    platformRows().flatMap((row) =>
      Object.entries(row.envVars).map(([key, env]) => [env, `channels.${row.id}.${key}`]),
    ),
  ),
  HERALD_SECRETS_FILE: 'channels.secretsFile',
  HERALD_CHANNEL_TIMEOUT_MS: 'channels.timeoutMs',
};

/** The environment variable that sets a default account's credential key, e.g. twitter.appKey -> TWITTER_APP_KEY. */
export function envNameFor(platform: PlatformId, key: string): string | undefined {
  return PLATFORMS[platform].envVars[key];
}
