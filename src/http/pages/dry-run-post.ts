import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../domain/errors.js';
import { platformName } from '../../channels/platforms.js';
import { findDryRunPost } from '../../store/dry-run-posts.js';
import { listAccounts } from '../../store/accounts.js';
import { findItem } from '../../store/items.js';
import { needs } from '../route-access.js';
import { DRY_RUN_POST_ID } from '../schemas.js';
import type { WebDeps } from './deps.js';
import { sendPage } from './render.js';
import { safeLink } from './view-models.js';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** What a dry-run account recorded, as a page a person reads; GET /api/dry-run-posts/:id keeps the JSON. */
export function dryRunPostPages(app: FastifyInstance, deps: WebDeps): void {
  app.get('/dry-run-posts/:id', needs('review:read'), async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const db = deps.ctx.store.db;
    const post = DRY_RUN_POST_ID.test(id) ? await findDryRunPost(db, id) : null;
    if (!post) throw new NotFoundError('dry-run post', id.slice(0, 80));
    const [item, accounts] = await Promise.all([findItem(db, post.itemId), listAccounts(db)]);
    const image = post.payload.image as { url?: unknown; alt?: unknown } | null | undefined;
    const parts = Array.isArray(post.payload.parts) ? post.payload.parts.map(text) : [post.text];
    const views = deps.views;
    return sendPage(deps, request, reply, 'dry-run-post', {
      title: views.t('dryRunPost.title'),
      post: {
        id: post.id,
        account: accounts.find((a) => a.id === post.accountId)?.name ?? post.accountId,
        platform: platformName(post.platform),
        action: views.t(`delivery.action.${post.action}`),
        parts,
        link: safeLink(text(post.payload.link) || null),
        image: image ? { url: safeLink(text(image.url) || null), alt: text(image.alt) } : null,
        createdAt: post.createdAt,
        api: `/api/dry-run-posts/${post.id}`,
      },
      item: item ? { id: item.id, title: item.title } : null,
    });
  });
}
