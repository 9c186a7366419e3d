import type { FastifyReply, FastifyRequest } from 'fastify';
import { canDo } from '../../domain/item.js';
import { formatInZone } from '../../domain/schedule.js';
import { listAccounts } from '../../store/accounts.js';
import { listAudit } from '../../store/audit.js';
import { listDeliveriesForItem } from '../../store/deliveries.js';
import { getItem } from '../../store/items.js';
import { recentLookalikes } from '../../store/lookalikes.js';
import type { WebDeps } from './deps.js';
import { sendPage } from './render.js';
import { reviewPanel } from './review.js';
import { itemTimeline } from './timeline.js';
import { hashtagOf } from '../../channels/text.js';
import { channelTextLabel } from './editor.js';
import { accountNames, itemRow, safeLink } from './view-models.js';
import { itemDeliveryViews } from './item-live.js';
import { currentWallClock, repeatedHourChoice } from './schedule-choice.js';

/** A schedule form sent back to be completed (the repeated hour of a DST change asks which instant). */
export interface ScheduleRetry {
  publishAt: string;
  timezone: string;
  problem: string;
}

/** The item page: what it says, where it went (deliveries with links, errors, Retry) and its timeline. */
export async function showItem(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  retry?: ScheduleRetry,
  status = 200,
) {
  const db = deps.ctx.store.db;
  const [item, deliveries, audit, accounts] = await Promise.all([
    getItem(db, id),
    listDeliveriesForItem(db, id),
    listAudit(db, 'item', id),
    listAccounts(db),
  ]);
  const lookalikes = await recentLookalikes(db, item);
  const names = accountNames(accounts);
  const zone = request.signedIn?.user.timezone ?? deps.ctx.config.timezone;
  const views = deps.views;
  return sendPage(
    deps,
    request,
    reply,
    'item',
    {
      title: item.title,
      item: {
        ...itemRow(views, item),
        summary: item.summary,
        bodyHtml: item.bodyHtml,
        url: safeLink(item.url),
        imageUrl: safeLink(item.imageUrl),
        imageAlt: item.imageAlt,
        hashtags: item.tags.map(hashtagOf),
        announce: item.announce,
        channelTexts: Object.entries(item.channelTexts).map(([platform, text]) => ({
          name: channelTextLabel(deps, platform),
          text,
        })),
        language: item.language,
        translations: Object.keys(item.translations),
        slug: item.slug,
        publishAtLocal:
          item.publishAt && item.publishTimezone ? formatInZone(item.publishAt, item.publishTimezone) : null,
        channels: item.publishChannels?.map((c) => names.get(c) ?? c) ?? null,
      },
      deliveries: await itemDeliveryViews(deps, id),
      review: await reviewPanel(deps, id, item.status),
      timeline: itemTimeline(views, names, audit, deliveries).reverse(),
      can: {
        publish:
          canDo('publish', item.status) &&
          !(item.status === 'published' && item.publishedRevision === item.revision),
        schedule: item.status !== 'published' || item.publishedRevision !== item.revision,
        cancel: canDo('cancel', item.status),
        withdraw: canDo('withdraw', item.status),
        delete: canDo('delete', item.status),
      },
      schedule: {
        publishAt: retry?.publishAt ?? currentWallClock(item),
        zone: retry?.timezone ?? item.publishTimezone ?? zone,
        problem: retry?.problem ?? null,
        repeated: retry ? repeatedHourChoice(views, retry.publishAt, retry.timezone) : null,
      },
      lookalikes: lookalikes.map((l) => ({
        ...l,
        why: views.t(
          l.sameTitle && l.sameLink
            ? 'item.lookalike.both'
            : l.sameTitle
              ? 'item.lookalike.title'
              : 'item.lookalike.link',
        ),
      })),
      back: `/items/${item.id}`,
      liveUrl: `/items/${item.id}/live`,
      scripts: ['zone.js', 'live.js', 'editor-draft.js'],
    },
    status,
  );
}
