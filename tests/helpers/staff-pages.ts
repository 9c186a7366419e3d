import { createItem } from '../../src/app/items.js';
import { requestPublish } from '../../src/app/publishing.js';
import { listDeliveriesForItem } from '../../src/store/deliveries.js';
import { recordDryRunPost } from '../../src/store/dry-run-posts.js';
import { importContacts } from '../../src/store/member-import.js';
import { findContactByEmail } from '../../src/store/members.js';
import { createNewsletter } from '../../src/newsletter/staff-tools.js';
import { isStaffPermission } from '../../src/domain/permissions.js';
import type { DeclaredRoute } from '../../src/http/route-access.js';
import { sampleItem } from './app.js';
import type { WebApp } from './web.js';

/** Real rows for every kind of page, so that a page route can be opened with ids that exist. */
export interface PageIds {
  item: string;
  dryRunPost: string;
  delivery: string;
  user: string;
  newsletter: string;
  contact: string;
}

export const staffPages = (routes: DeclaredRoute[]) =>
  routes.filter((r) => r.surface === 'page' && isStaffPermission(r.permission));

/** A concrete URL for a route pattern (ids of real rows, so a refusal cannot be a 404 in disguise). */
export function concrete(url: string, ids: PageIds): string {
  return url
    .replace(/^\/newsletters\/:id/, `/newsletters/${ids.newsletter}`)
    .replace(/^\/members\/contacts\/:id/, `/members/contacts/${ids.contact}`)
    .replace(/^\/items\/:id/, `/items/${ids.item}`)
    .replace(/^\/dry-run-posts\/:id/, `/dry-run-posts/${ids.dryRunPost}`)
    .replace(/^\/deliveries\/:id/, `/deliveries/${ids.delivery}`)
    .replace(/^\/users\/:id/, `/users/${ids.user}`)
    .replace(':queueName', 'channel')
    .replace(/:[A-Za-z]+/g, 'x')
    .replace('*', 'js/none.js');
}

/** A published item with its deliveries, a contact, and an announcement draft; `user` is the given staff id. */
export async function seedPageRows(web: WebApp, userId: string): Promise<PageIds> {
  const item = await createItem(web.app.ctx.store, sampleItem(1), 'test');
  await requestPublish(web.app.ctx, item.id, { actor: 'test' });
  await importContacts(
    web.app.ctx.store,
    'authority,country,name,email,language\nLyon,FR,Ana,ana@lyon.example,fr\n',
    { actor: 'test' },
  );
  const newsletter = await createNewsletter(
    web.app.ctx,
    { kind: 'announcement', itemIds: [item.id] },
    'test',
  );
  const deliveries = await listDeliveriesForItem(web.app.ctx.store.db, item.id);
  const post = deliveries.find((d) => d.kind === 'channel')!;
  const dryRunPost = await recordDryRunPost(web.app.ctx.store.db, {
    deliveryId: post.id,
    accountId: post.target,
    itemId: item.id,
    platform: 'twitter',
    action: 'create',
    text: 'A post',
    payload: { parts: ['A post'], link: null, image: null },
  });
  return {
    item: item.id,
    dryRunPost: dryRunPost.id,
    delivery: deliveries[0]!.id,
    user: userId,
    newsletter: newsletter.id,
    contact: (await findContactByEmail(web.app.ctx.store.db, 'ana@lyon.example'))!.id,
  };
}
