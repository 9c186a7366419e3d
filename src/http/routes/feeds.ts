import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../app/context.js';
import { FeedFileReader, notModified, type FeedFile } from '../../feed/feed-files.js';
import { feedServiceFor, type FeedService } from '../../feed/feed-service.js';
import { FEED_CONTENT_TYPES, feedFilePath, parseFeedUrlPath } from '../../feed/variants.js';
import { sendError } from '../errors.js';
import { needs } from '../route-access.js';

/** Public feed addresses (no token): the main feeds and the per-language and per-tag ones under /feeds/. */
export const FEED_ROUTES = ['/feed.xml', '/rss.xml', '/atom.xml', '/feed.json', '/feeds/*'] as const;

/**
 * Serves the feed files the feed worker writes: content type per format, ETag (content hash),
 * Last-Modified, Cache-Control, 304 on conditional requests; HEAD comes with every GET route.
 * On a fresh install (nothing built yet) the first request builds the feeds.
 */
export function feedRoutes(app: FastifyInstance, ctx: Context): void {
  const service = feedServiceFor(ctx);
  const reader = new FeedFileReader();
  const maxAge = ctx.config.feed.maxAgeSeconds;

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const urlPath = request.url.split('?')[0] ?? '';
    const wanted = parseFeedUrlPath(urlPath);
    if (!wanted) return sendError(reply, 404, 'not_found', `no feed at ${urlPath.slice(0, 200)}`);
    const file = await readOrBuild(
      service,
      reader,
      path.join(service.dir, feedFilePath(wanted.variant, wanted.format)),
    );
    if (!file)
      return sendError(
        reply,
        404,
        'not_found',
        `no feed at ${urlPath.slice(0, 200)}: no published item has this language or tag`,
      );
    reply
      .header('etag', file.etag)
      .header('last-modified', file.lastModified.toUTCString())
      .header('cache-control', `public, max-age=${maxAge}`)
      .header('access-control-allow-origin', '*')
      .header('x-content-type-options', 'nosniff');
    if (notModified(file, header(request, 'if-none-match'), header(request, 'if-modified-since')))
      return reply.code(304).send();
    return reply.type(FEED_CONTENT_TYPES[wanted.format]).send(file.body);
  };

  for (const route of FEED_ROUTES) app.get(route, needs('public'), serve);
}

async function readOrBuild(
  service: FeedService,
  reader: FeedFileReader,
  file: string,
): Promise<FeedFile | null> {
  const found = await reader.read(file);
  if (found || (await service.everBuilt())) return found;
  await service.ensureCurrent('first request');
  return reader.read(file);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
