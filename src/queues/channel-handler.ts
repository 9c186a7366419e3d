import { ChannelError, itemForAccount, type PublishContext } from '../channels/adapter.js';
import type { ErrorClass, PublishResult } from '../domain/delivery-outcome.js';
import type { ChannelAccount } from '../domain/platform.js';
import type { ChannelRegistry } from '../channels/registry.js';
import type { Delivery } from '../domain/delivery.js';
import type { Store } from '../store/db.js';
import { findAccount, setAccountState } from '../store/accounts.js';
import { latestDoneDelivery } from '../store/deliveries.js';
import { recordAudit } from '../store/audit.js';
import type { DeliveryHandler, DeliveryRun } from './deliver.js';
import { withUploads } from '../store/media.js';
import { imageUseFor } from '../domain/media.js';
import { accountHeld, holdsDeliveries } from '../domain/account-hold.js';
import type { TwitterRules } from '../config/platform-rules.js';
import { overBudget } from './x-budget.js';

/** Delivers an item to one social account through its Channel (live adapter or dry-run). */
export function channelHandler(deps: {
  store: Store;
  channels: ChannelRegistry;
  config: { publicUrl: string; twitter?: TwitterRules | undefined };
  /** Picks up accounts connected from the Channels page since this process started. */
  refreshConnected?: (force?: boolean) => Promise<void>;
}): DeliveryHandler {
  const entryFor = (delivery: Delivery) => deps.channels.get(delivery.target);

  return {
    // Dry-run accounts have no platform limits to share.
    gateKey: (delivery) =>
      entryFor(delivery)?.account.mode === 'live' ? `account:${delivery.target}` : null,

    async run({ delivery, item: stored, outcomeUnknown, saveProgress, ensureClaim }: DeliveryRun) {
      // A connected account may be new or carry new tokens (reconnected): read them before posting.
      if (!deps.channels.has(delivery.target) || deps.channels.isConnected(delivery.target))
        await deps.refreshConnected?.(true);
      const entry = entryFor(delivery);
      if (!entry)
        throw new ChannelError({
          kind: 'permanent',
          message: `the account "${delivery.target}" is no longer configured`,
        });
      const account = await currentAccount(deps.store, entry.account);
      if (holdsDeliveries(account.state)) throw new ChannelError(accountHeld(account));
      const use = imageUseFor(account.platform);
      const [withImage] = await withUploads(deps.store.db, [stored], use, deps.config.publicUrl);
      const item = itemForAccount(withImage!, account);
      await entry.channel.prepare?.(account);
      const post = entry.channel.compose(item, account);
      const previous = await previousResult(deps.store, delivery);
      const ctx: PublishContext = {
        delivery,
        item,
        account,
        post,
        saveProgress,
        previous,
        beforeSend: ensureClaim,
      };
      if (outcomeUnknown && delivery.action === 'create') {
        const found = await entry.channel.findExisting(ctx);
        if (found) return found;
      }
      if (account.platform === 'twitter' && account.mode === 'live' && delivery.action === 'create') {
        const rules = deps.config.twitter;
        const over = rules && (await overBudget({ ...deps, rules }, delivery, post.parts, new Date()));
        if (over) throw new ChannelError(over);
      }
      await ensureClaim();
      return perform(entry.channel, ctx, delivery);
    },

    classify(error, delivery): ErrorClass {
      if (error instanceof ChannelError) return error;
      const entry = entryFor(delivery);
      return entry ? entry.channel.classifyError(error) : { kind: 'permanent', message: String(error) };
    },

    async onAuthFailure(delivery, problem) {
      await setAccountState(deps.store.db, delivery.target, 'needs_reconnect', problem.message);
      await recordAudit(deps.store.db, {
        actor: 'worker',
        action: 'account_needs_reconnect',
        subjectType: 'account',
        subjectId: delivery.target,
        details: { reason: problem.message },
      });
    },

    async onHold(delivery, problem) {
      if (!problem.accountState) return;
      const account = await findAccount(deps.store.db, delivery.target);
      if (!account || account.state === problem.accountState) return;
      await setAccountState(deps.store.db, delivery.target, problem.accountState, problem.message);
      await recordAudit(deps.store.db, {
        actor: 'worker',
        action: `account_${problem.accountState}`,
        subjectType: 'account',
        subjectId: delivery.target,
        details: { reason: problem.message },
      });
    },
  };
}

async function perform(
  channel: NonNullable<ReturnType<ChannelRegistry['get']>>['channel'],
  ctx: PublishContext,
  delivery: Delivery,
): Promise<PublishResult> {
  if (delivery.action === 'create') return channel.publish(ctx);
  const previous = ctx.previous;
  if (!previous)
    throw new ChannelError({
      kind: 'permanent',
      message: `nothing was posted earlier to ${delivery.action}`,
    });
  if (delivery.action === 'update') {
    if (!channel.update)
      throw new ChannelError({ kind: 'permanent', message: `${channel.platform} posts cannot be edited` });
    return channel.update({ ...ctx, previous });
  }
  if (!channel.remove)
    throw new ChannelError({
      kind: 'permanent',
      message: `${channel.platform} posts cannot be deleted by Herald`,
    });
  await channel.remove({ ...ctx, previous });
  return { remoteId: previous.remoteId, remoteUrl: null };
}

async function currentAccount(store: Store, configured: ChannelAccount): Promise<ChannelAccount> {
  const stored = await findAccount(store.db, configured.id);
  return stored ? { ...configured, state: stored.state, stateReason: stored.stateReason } : configured;
}

async function previousResult(store: Store, delivery: Delivery): Promise<PublishResult | undefined> {
  if (delivery.action === 'create') return undefined;
  const done = await latestDoneDelivery(store.db, delivery.itemId, 'channel', delivery.target);
  return done?.remoteId
    ? { remoteId: done.remoteId, remoteUrl: done.remoteUrl, details: done.progress }
    : undefined;
}
