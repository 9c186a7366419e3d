import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { needs } from '../route-access.js';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** The pages' CSS and JavaScript, read into memory once; URLs carry a content hash so they can be cached for a year. */
export class StaticAssets {
  private readonly files = new Map<string, Asset>();

  constructor(dir: string) {
    for (const name of readdirSync(dir)) {
      const type = TYPES[path.extname(name)];
      if (!type) continue;
      const body = readFileSync(path.join(dir, name));
      this.files.set(name, {
        body,
        type,
        etag: createHash('sha256').update(body).digest('base64url').slice(0, 16),
      });
    }
  }

  url(name: string): string {
    const asset = this.files.get(name);
    if (!asset) throw new Error(`no static asset ${name}`);
    return `/static/${name}?v=${asset.etag}`;
  }

  routes(app: FastifyInstance): void {
    app.get('/static/:name', needs('public'), async (request, reply) => {
      const asset = this.files.get((request.params as { name: string }).name);
      if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
      const etag = `"${asset.etag}"`;
      reply
        .header('etag', etag)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type(asset.type).send(asset.body);
    });
  }
}
