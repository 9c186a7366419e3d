import type { Logger } from 'pino';
import type { Delivery } from '../domain/delivery.js';
import { deliveryHold, holdsDeliveries } from '../domain/account-hold.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { findAccount, setAccountState } from '../store/accounts.js';
import { recordAudit } from '../store/audit.js';
import { getDelivery } from '../store/deliveries.js';
import { listHeldDeliveries, unholdDelivery } from '../store/held-deliveries.js';
import type { Store } from '../store/db.js';
import { tryRedis, type Queues } from '../queues/producer.js';

interface HoldDeps {
  store: Store;
  queues: Queues;
  log: Logger;
}

async function releaseAll(
  deps: HoldDeps,
  held: Delivery[],
  extra?: Record<string, unknown>,
): Promise<number> {
  let released = 0;
  for (const delivery of held) {
    if (!(await unholdDelivery(deps.store.db, delivery, extra))) continue;
    released++;
    await tryRedis(deps, 'enqueue a released delivery', () => deps.queues.enqueueDelivery(delivery));
  }
  return released;
}

/**
 * Sends every delivery the account held (whatever state it was in when held), not the posts held by the
 * monthly budget: after "Try again", a passing daily check or a reconnection. Returns how many.
 */
export async function releaseAccountHolds(deps: HoldDeps, accountId: string): Promise<number> {
  const held = (await listHeldDeliveries(deps.store.db, { target: accountId })).filter(
    (d) => deliveryHold(d.progress)?.reason !== 'over_budget',
  );
  return releaseAll(deps, held);
}

/**
 * "Try again" for an account on hold (e.g. `needs_credits`): the account is back to `ok` and every delivery
 * it held is sent. If the platform still refuses, the first attempt holds the account again.
 */
export async function releaseHeldAccount(deps: HoldDeps, accountId: string, actor: string): Promise<number> {
  const account = await findAccount(deps.store.db, accountId);
  if (!account) throw new NotFoundError('account', accountId.slice(0, 80));
  if (!holdsDeliveries(account.state))
    throw new ConflictError(`${account.name} is not on hold (it is ${account.state})`, 'not_held');
  await setAccountState(deps.store.db, accountId, 'ok', null);
  const released = await releaseAccountHolds(deps, accountId);
  await recordAudit(deps.store.db, {
    actor,
    action: 'account_released',
    subjectType: 'account',
    subjectId: accountId,
    details: { was: account.state, released },
  });
  return released;
}

/** A person lets one post held by the month's X budget go out anyway. */
export async function releaseHeldPost(deps: HoldDeps, deliveryId: string, actor: string): Promise<Delivery> {
  const delivery = await getDelivery(deps.store.db, deliveryId);
  if (deliveryHold(delivery.progress)?.reason !== 'over_budget')
    throw new ConflictError('this delivery is not held by the monthly budget', 'not_held');
  await deps.queues.ensureAvailable();
  if (!(await releaseAll(deps, [delivery], { budgetApproved: true })))
    throw new ConflictError('the delivery changed meanwhile; reload and try again', 'changed');
  await recordAudit(deps.store.db, {
    actor,
    action: 'budget_hold_released',
    subjectType: 'item',
    subjectId: delivery.itemId,
    details: { delivery: deliveryId, target: delivery.target },
  });
  return getDelivery(deps.store.db, deliveryId);
}
