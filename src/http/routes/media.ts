import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { z } from 'zod';
import type { Context } from '../../app/context.js';
import { deleteMedia, editMediaAlt, mediaStoreFor, uploadMedia } from '../../app/media.js';
import { HeraldError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { MEDIA_FILE, MEDIA_LIMITS, typeOfExtension } from '../../domain/media.js';
import { getMedia, listMedia, mediaUses } from '../../store/media.js';
import { presentMedia } from '../present-media.js';
import { needs } from '../route-access.js';
import { pathId } from '../schemas.js';

export const MEDIA_ID = /^med_[0-9a-f]{32}$/;

export const mediaId = (params: unknown): string => pathId(params, MEDIA_ID, 'media');

const altBody = z.strictObject({ alt: z.unknown() });
const listQuery = z.strictObject({
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1)
    .max(200)
    .default(50),
  offset: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0).default(0),
});

class FileTooLargeError extends HeraldError {
  constructor() {
    super(`file: is larger than ${MEDIA_LIMITS.bytes / 1_048_576} MB`, {
      code: 'file_too_large',
      httpStatus: 413,
    });
  }
}

/** The `file` and `alt` fields of a multipart upload; anything else is refused by name. */
async function readUpload(request: FastifyRequest): Promise<{ bytes: Buffer; alt: unknown }> {
  if (!request.isMultipart())
    throw new ValidationError({ file: 'send the upload as multipart/form-data with fields file and alt' });
  let bytes: Buffer | null = null;
  let alt: unknown;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file' && part.fieldname === 'file' && bytes === null) bytes = await part.toBuffer();
      else if (part.type === 'field' && part.fieldname === 'alt') alt = part.value;
      else throw new ValidationError({ [part.fieldname]: 'is not a field of an upload (send file and alt)' });
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new FileTooLargeError();
    throw error;
  }
  if (bytes === null) throw new ValidationError({ file: 'is required (the picture, as a file part)' });
  return { bytes, alt };
}

/** The media API (inside the authenticated /api scope). */
export function mediaRoutes(app: FastifyInstance, ctx: Context): void {
  const files = mediaStoreFor(ctx.config);
  void app.register(multipart, {
    limits: { fileSize: MEDIA_LIMITS.bytes, files: 1, fields: 2, parts: 3, fieldSize: 8 * 1024 },
  });

  app.post('/api/media', needs('media:write', 'submissions:write'), async (request, reply) => {
    const media = await uploadMedia(ctx.store, files, await readUpload(request), request.actor);
    return reply.code(201).header('location', `/api/media/${media.id}`).send(presentMedia(media, []));
  });

  app.get('/api/media', needs('media:read'), async (request) => {
    const q = listQuery.parse(request.query);
    const { media, total } = await listMedia(ctx.store.db, q);
    const uses = await mediaUses(
      ctx.store.db,
      media.map((m) => m.id),
    );
    return {
      media: media.map((m) => presentMedia(m, uses.get(m.id) ?? [])),
      total,
      limit: q.limit,
      offset: q.offset,
    };
  });

  app.get('/api/media/:id', needs('media:read'), async (request) => {
    const media = await getMedia(ctx.store.db, mediaId(request.params));
    return presentMedia(media, (await mediaUses(ctx.store.db, [media.id])).get(media.id) ?? []);
  });

  app.patch('/api/media/:id', needs('media:write'), async (request) => {
    const id = mediaId(request.params);
    const body = altBody.parse(request.body ?? {});
    const media = await editMediaAlt(ctx, id, body.alt);
    return presentMedia(media, (await mediaUses(ctx.store.db, [id])).get(id) ?? []);
  });

  app.delete('/api/media/:id', needs('media:write'), async (request, reply) => {
    await deleteMedia(ctx.store, files, mediaId(request.params));
    return reply.code(204).send();
  });
}

/**
 * Public: the stored files, by content hash. Never executed, served with their own type only, nosniff,
 * a CSP that forbids everything (an image opened directly runs nothing), cached for a year (names never change).
 */
export function mediaFileRoutes(app: FastifyInstance, ctx: Context): void {
  const files = mediaStoreFor(ctx.config);
  app.get('/media/:name', needs('public'), async (request, reply) => {
    const name = (request.params as { name?: string }).name ?? '';
    const match = MEDIA_FILE.exec(name);
    const bytes = match ? await files.get(name) : null;
    if (!match || !bytes) throw new NotFoundError('media file', name.slice(0, 80));
    return reply
      .header('content-type', typeOfExtension(match[2]!)!)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', 'inline')
      .send(bytes);
  });
}
