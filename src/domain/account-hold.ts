// Held deliveries: open deliveries that wait, neither failed nor retried, until a person (or a daily check)
// releases them. A hold is written in the delivery's progress (`hold`), so that it survives restarts and the
// reconciler can leave held deliveries without a job.
import { z } from 'zod';
import type { ErrorClass } from './delivery-outcome.js';
import type { AccountState } from './platform.js';

/**
 * Account states whose deliveries wait instead of being attempted: out of X credits (released by "Try
 * again" or the daily check) and refused credentials (released by reconnecting, or the daily check).
 */
const HOLDING_STATES: readonly AccountState[] = ['needs_credits', 'needs_reconnect'];

export function holdsDeliveries(state: AccountState): boolean {
  return HOLDING_STATES.includes(state);
}

/** A held account a person releases with "Try again"; one that needs reconnecting is released by reconnecting. */
export function releasedByTryAgain(state: AccountState): boolean {
  return holdsDeliveries(state) && state !== 'needs_reconnect';
}

/** Why one delivery waits: its account is held (its state), or its post would go over the month's X budget. */
export type HoldReason = AccountState | 'over_budget';

export interface DeliveryHold {
  reason: HoldReason;
  since: string;
}

const holdSchema = z.object({
  hold: z.object({ reason: z.string(), since: z.string() }).optional(),
  budgetApproved: z.boolean().optional(),
});

/** The hold recorded in a delivery's progress, or null. */
export function deliveryHold(progress: Record<string, unknown>): DeliveryHold | null {
  const parsed = holdSchema.safeParse(progress);
  return parsed.success && parsed.data.hold ? (parsed.data.hold as DeliveryHold) : null;
}

/** A person let this delivery go over the month's budget (see releaseHeldPost). */
export function budgetApproved(progress: Record<string, unknown>): boolean {
  const parsed = holdSchema.safeParse(progress);
  return parsed.success && parsed.data.budgetApproved === true;
}

/** The hold a held attempt writes: the account's new state, or the delivery's own reason. */
export function holdFor(problem: ErrorClass, now: Date): DeliveryHold {
  return { reason: problem.accountState ?? 'over_budget', since: now.toISOString() };
}

/** The attempt stops before any request: the account is held already. */
export function accountHeld(account: {
  name: string;
  state: AccountState;
  stateReason: string | null;
}): ErrorClass {
  const message =
    account.state === 'needs_reconnect'
      ? `Held: ${account.name} needs reconnecting (${account.stateReason ?? 'its credentials were refused'}). It goes out when an admin reconnects the account on the Channels page.`
      : `${account.name} is on hold, so this post waits: ${account.stateReason ?? account.state}`;
  return { kind: 'held', accountState: account.state, platformCode: account.state, message };
}
