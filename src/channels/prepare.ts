import type { ChannelAccount } from '../domain/platform.js';
import { PLATFORMS } from './platforms.js';
import type { ChannelRegistry } from './registry.js';

/** A preview waits at most this long for a platform's limits; the page must not hang on a slow instance. */
const PREVIEW_PREPARE_MS = 3_000;

/**
 * Lets each account's channel read what its composer needs (a Mastodon instance's limits) before a preview.
 * Returns a warning per account whose platform could not be read in time: its post is counted with the defaults.
 */
export async function prepareForPreview(
  channels: ChannelRegistry,
  accounts: ChannelAccount[],
  timeoutMs = PREVIEW_PREPARE_MS,
): Promise<Map<string, string>> {
  const warnings = new Map<string, string>();
  await Promise.all(
    accounts.map(async (account) => {
      const channel = channels.get(account.id)?.channel;
      if (!channel?.prepare) return;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      const problem = await Promise.race([
        channel.prepare(account).then(
          () => null,
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        ),
        late,
      ]).finally(() => clearTimeout(timer));
      if (problem === null) return;
      const why = problem === 'late' ? `no answer within ${timeoutMs / 1000} s` : problem;
      warnings.set(
        account.id,
        `Could not read the limits of ${account.name} on ${PLATFORMS[account.platform].displayName} (${why}): counted with the defaults.`,
      );
    }),
  );
  return warnings;
}
