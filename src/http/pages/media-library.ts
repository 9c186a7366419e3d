import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { deleteMedia, editMediaAlt, mediaStoreFor } from '../../app/media.js';
import { ConflictError, ValidationError } from '../../domain/errors.js';
import { fileName, MEDIA_LIMITS, type Media } from '../../domain/media.js';
import { listMedia, mediaUses } from '../../store/media.js';
import { mediaId } from '../routes/media.js';
import { needs } from '../route-access.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';
import { pager } from './lists.js';
import { redirectWith, sendPage } from './render.js';

const PAGE_SIZE = 30;
export const LIBRARY_PATH = '/media-library';

/** A problem with one upload's form, shown beside it; `alt` keeps what the person typed. */
interface EntryProblem {
  id: string;
  altError?: string;
  deleteError?: string;
  alt?: string;
}

/** "830 KB", "1.4 MB": sizes as people read them. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1_048_576) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** The smallest stored version wide enough for a thumbnail: the 1200 px card version when there is one. */
export const thumbnailUrl = (media: Media): string => `/media/${fileName(media.derivatives.card ?? media)}`;

function pageOf(query: unknown): number {
  const raw = (query as { page?: unknown } | null)?.page;
  return Math.max(1, Math.min(10_000, Number.parseInt(String(raw ?? '1'), 10) || 1));
}

async function showLibrary(
  deps: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  problem: EntryProblem | null = null,
  status = 200,
) {
  const page = pageOf(request.query);
  const { media, total } = await listMedia(deps.ctx.store.db, {
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  const uses = await mediaUses(
    deps.ctx.store.db,
    media.map((m) => m.id),
  );
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const entries = media.map((m) => {
    const mine = problem?.id === m.id ? problem : null;
    return {
      id: m.id,
      thumbnail: thumbnailUrl(m),
      original: `/media/${fileName(m)}`,
      alt: mine?.alt ?? m.alt,
      savedAlt: m.alt,
      size: `${m.width} × ${m.height} px, ${sizeText(m.bytes)}`,
      type: m.type.replace('image/', '').toUpperCase(),
      createdAt: m.createdAt,
      usedBy: uses.get(m.id) ?? [],
      altError: mine?.altError,
      deleteError: mine?.deleteError,
    };
  });
  return sendPage(
    deps,
    request,
    reply,
    'media-library',
    {
      title: deps.views.t('library.title'),
      entries,
      total,
      altMax: MEDIA_LIMITS.alt,
      errors: {},
      pager: pager(page, pages, (p) => `${LIBRARY_PATH}?page=${p}`),
    },
    status,
  );
}

/** The media library: every upload with its alt text (editable), size, date and the items showing it. */
export function mediaLibraryPages(app: FastifyInstance, deps: WebDeps): void {
  const files = mediaStoreFor(deps.ctx.config);

  app.get(LIBRARY_PATH, needs('media:read'), async (request, reply) => showLibrary(deps, request, reply));

  app.post(`${LIBRARY_PATH}/:id/alt`, needs('media:write'), async (request, reply) => {
    const id = mediaId(request.params);
    const alt = one((request.body ?? {}) as FormBody, 'alt');
    try {
      await editMediaAlt(deps.ctx, id, alt);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const altError = error.fields.alt ?? Object.values(error.fields)[0];
      return showLibrary(deps, request, reply, { id, altError, alt }, 400);
    }
    return redirectWith(deps, request, reply, `${LIBRARY_PATH}#m-${id}`, {
      kind: 'ok',
      key: 'library.altSaved',
    });
  });

  app.post(`${LIBRARY_PATH}/:id/delete`, needs('media:write'), async (request, reply) => {
    const id = mediaId(request.params);
    try {
      await deleteMedia(deps.ctx.store, files, id);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const users = (await mediaUses(deps.ctx.store.db, [id])).get(id) ?? [];
      const titles = users.map((u) => `“${u.title}”`).join(', ');
      const deleteError = deps.views.t('library.inUse', { count: users.length, titles });
      return showLibrary(deps, request, reply, { id, deleteError }, 409);
    }
    return redirectWith(deps, request, reply, LIBRARY_PATH, { kind: 'ok', key: 'library.deleted' });
  });
}
