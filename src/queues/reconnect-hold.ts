import { ChannelError } from '../channels/adapter.js';
import type { ChannelAccount } from '../domain/platform.js';

/** How often a held delivery looks again on its own (a reconnection releases it at once). */
export const RECONNECT_HOLD_MS = 15 * 60_000;

/**
 * A delivery for an account that needs reconnecting is held, not failed: it waits (its attempt given back,
 * as for a rate limit) and goes out when the account is reconnected (src/app/held-deliveries.ts).
 */
export function reconnectHold(account: ChannelAccount, now = Date.now()): ChannelError {
  return new ChannelError({
    kind: 'rate_limited',
    message: `Held: ${account.name} needs reconnecting (${account.stateReason ?? 'its credentials were refused'}). It goes out when an admin reconnects the account on the Channels page.`,
    retryAt: new Date(now + RECONNECT_HOLD_MS),
  });
}
