import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { listAccounts } from '../../store/accounts.js';
import { countItemsByStatus } from '../../store/items.js';
import {
  countScheduledAfter,
  failedDeliveries,
  recentActivity,
  upcomingItems,
} from '../../store/web-queries.js';
import type { WebDeps } from './deps.js';
import { pageData, sendPage } from './render.js';
import { accountNames, byDay, deliveryView, itemRow } from './view-models.js';
import { attentionExtras } from './attention.js';
import { needs } from '../route-access.js';
import { calendarHref } from './calendar.js';
import { setupChecklist, type SetupStep } from '../../app/getting-started.js';
import { deliveryOrder } from './delivery-order.js';
import { itemCountsText } from './item-counts.js';

const UPCOMING_DAYS = 7;

/** Where each "Getting started" step is done; the postal address is a configuration setting, so no page. */
const SETUP_PAGES: Record<SetupStep['id'], { href: string | null; adminOnly: boolean }> = {
  channels: { href: '/channels', adminOnly: true },
  members: { href: '/members', adminOnly: false },
  postalAddress: { href: null, adminOnly: false },
  secondAdmin: { href: '/users', adminOnly: true },
  firstItem: { href: '/items/new', adminOnly: false },
};

const stepView = (step: SetupStep) => ({ ...step, ...SETUP_PAGES[step.id] });

/** Everything the dashboard shows; also what its script polls for (the `live` fragment). */
async function dashboardData(deps: WebDeps, request: FastifyRequest) {
  const db = deps.ctx.store.db;
  const zone = request.signedIn?.user.timezone ?? deps.ctx.config.timezone;
  const until = DateTime.now().setZone(zone).startOf('day').plus({ days: UPCOMING_DAYS }).toUTC().toISO()!;
  const [upcoming, later, recent, failed, accounts, counts, extras] = await Promise.all([
    upcomingItems(db, until),
    countScheduledAfter(db, until),
    recentActivity(db, 10),
    failedDeliveries(db, 50),
    listAccounts(db),
    countItemsByStatus(db),
    attentionExtras(deps),
  ]);
  const names = accountNames(accounts);
  const ordered = deliveryOrder(accounts);
  const views = deps.views;
  const reconnect = accounts
    .filter((a) => a.state === 'needs_reconnect')
    .map((a) => ({ id: a.id, name: a.name, reason: a.stateReason }));
  return {
    days: byDay(views, upcoming, zone),
    calendarWeek: calendarHref('week', DateTime.now().setZone(zone).toISODate()!),
    later,
    recent: recent.map(({ item, deliveries }) => ({
      item: itemRow(views, item),
      deliveries: ordered(deliveries).map((d) => deliveryView(views, names, d)),
    })),
    failed: failed.map((f) => ({
      ...deliveryView(views, names, f.delivery),
      itemId: f.delivery.itemId,
      itemTitle: f.itemTitle,
    })),
    reconnect,
    extras,
    attentionCount: failed.length + reconnect.length + extras.count,
    counts: itemCountsText(views, counts),
  };
}

export function dashboardRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get('/', needs('items:read', 'submissions:read'), async (request, reply) => {
    // A contributor's home is their own submissions (the dashboard shows everybody's items).
    if (request.ownItemsOnly) return reply.redirect('/submissions', 303);
    const [data, setup] = await Promise.all([dashboardData(deps, request), setupChecklist(deps.ctx)]);
    return sendPage(deps, request, reply, 'dashboard', {
      title: deps.views.t('dashboard.title'),
      ...data,
      setup: setup.complete ? null : { ...setup, steps: setup.steps.map(stepView) },
      scripts: ['live.js'],
    });
  });

  // The dashboard's live part, re-fetched every few seconds by live.js.
  app.get('/dashboard/live', needs('items:read'), async (request, reply) => {
    const data = await dashboardData(deps, request);
    const html = deps.views.fragment(
      'dashboard-live',
      pageData(deps, request, reply, data, { flash: false }),
    );
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
  });
}
