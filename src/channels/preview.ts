import type { Delivery } from '../domain/delivery.js';
import type { NewsItem } from '../domain/item.js';
import { planPublication, type DeliveryTarget } from '../domain/publication.js';
import type { AccountState, ChannelAccount } from '../domain/platform.js';
import { itemForAccount, type ComposedPost } from './adapter.js';
import { PLATFORMS } from './platforms.js';
import { prepareForPreview } from './prepare.js';
import type { ChannelRegistry } from './registry.js';
import { holdsDeliveries } from '../domain/account-hold.js';
import { xPostCost, type XPostCost, type XPrices } from './twitter/cost.js';

/** Unsaved changes staff are trying out: per-channel texts ("" = back to the template) and the thread choice. */
export interface PreviewOverrides {
  channelTexts?: Record<string, string> | undefined;
  thread?: boolean | undefined;
}

export type PublishEffect = 'create' | 'update' | 'none';

export interface ChannelPreview extends ComposedPost {
  accountName: string;
  mode: ChannelAccount['mode'];
  state: AccountState;
  /** What publishing (this revision, or the edit once saved) does on this account, and why in plain words. */
  onPublish: { action: PublishEffect; message: string };
  /** What the post costs on X (every thread part counted). */
  cost?: XPostCost;
}

/** The item as it would be with the unsaved overrides. */
export function itemWithOverrides(item: NewsItem, overrides: PreviewOverrides): NewsItem {
  const channelTexts = { ...item.channelTexts };
  for (const [key, text] of Object.entries(overrides.channelTexts ?? {})) {
    if (text.trim() === '') delete channelTexts[key];
    else channelTexts[key] = text;
  }
  return { ...item, channelTexts, thread: overrides.thread ?? item.thread };
}

/** Keys `kind|target` already posted (or on their way) by a create or an update, as the publish flow counts them. */
function deliveredKeys(deliveries: Delivery[]): Set<string> {
  const open = ['pending', 'running', 'done'];
  return new Set(
    deliveries
      .filter((d) => (d.action === 'create' || d.action === 'update') && open.includes(d.status))
      .map((d) => `${d.kind}|${d.target}`),
  );
}

function effectMessage(action: PublishEffect, account: ChannelAccount, canEdit: boolean): string {
  const { displayName: platform, postNoun, editNote } = PLATFORMS[account.platform];
  if (action === 'create') return `Publishing posts this on ${account.name}.`;
  if (action === 'update') return editNote ?? `Publishing the edit updates the post on ${account.name}.`;
  if (!canEdit)
    return `${platform} cannot edit a posted ${postNoun}: this change will not reach ${platform}, the post stays as it is.`;
  return `Nothing to publish on ${account.name}: this version is already there.`;
}

function upToDateMessage(account: ChannelAccount, posted: boolean): string {
  return posted
    ? `Already posted on ${account.name}: this version is there.`
    : `This version is already published, without ${account.name}: publishing it again does nothing (an edit would post it).`;
}

/**
 * What each chosen account would post for `item` (with unsaved overrides), and what publishing would do there:
 * the same composer the workers use, and the same plan the publish flow makes.
 */
export async function previewItem(
  channels: ChannelRegistry,
  item: NewsItem,
  deliveries: Delivery[],
  states: Map<string, Pick<ChannelAccount, 'state' | 'stateReason'>>,
  accountIds: string[],
  /** The item's current revision is published and the overrides change nothing: publishing does nothing. */
  upToDate: boolean,
  /** X's prices (configuration `twitter.prices`): X posts show what they cost. */
  xPrices?: XPrices,
): Promise<ChannelPreview[]> {
  const delivered = deliveredKeys(deliveries);
  const targets: DeliveryTarget[] = accountIds.map((id) => {
    const caps = channels.get(id)!.channel.capabilities;
    return { kind: 'channel', target: id, updates: caps.update, deletes: caps.delete };
  });
  const plan = planPublication(item, targets, delivered);
  const accounts = accountIds.map((id) => ({ ...channels.get(id)!.account, ...(states.get(id) ?? {}) }));
  const unread = await prepareForPreview(channels, accounts);
  return accounts.map((account) => {
    const { id } = account;
    const { channel } = channels.get(id)!;
    const post = channel.compose(itemForAccount(item, account), account);
    const planned = upToDate ? undefined : plan.find((p) => p.target === id)?.action;
    const action: PublishEffect = planned === 'update' || planned === 'create' ? planned : 'none';
    const warnings = [...post.warnings, ...(unread.has(id) ? [unread.get(id)!] : [])];
    if (holdsDeliveries(account.state) && account.state !== 'needs_reconnect')
      warnings.push(
        `${account.name} is on hold (${account.stateReason ?? account.state}): posts to it wait until someone presses "Try again" on the Channels page.`,
      );
    if (account.state === 'needs_reconnect')
      warnings.push(
        `${account.name} needs to be reconnected (${account.stateReason ?? 'its credentials were refused'}): posts to it wait until then.`,
      );
    if (account.mode === 'dry-run')
      warnings.push(
        `${account.name} is in dry-run: the post is recorded as a dry-run post in Herald, not sent.`,
      );
    // Shown for dry-run X accounts too: what the post would cost once the account is live.
    const paid = xPrices && account.platform === 'twitter';
    return {
      ...post,
      ...(paid ? { cost: xPostCost(post.parts, xPrices) } : {}),
      warnings,
      accountName: account.name,
      mode: account.mode,
      state: account.state,
      onPublish: {
        action,
        message: upToDate
          ? upToDateMessage(account, delivered.has(`channel|${id}`))
          : effectMessage(action, account, channel.capabilities.update),
      },
    };
  });
}
