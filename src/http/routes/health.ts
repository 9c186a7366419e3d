import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Context } from '../../app/context.js';
import { needs } from '../route-access.js';

async function check(
  fn: () => Promise<unknown>,
  timeoutMs = 2_000,
): Promise<{ ok: boolean; error?: string }> {
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** 200 when Redis and the database answer, 503 otherwise, saying which. */
export function healthRoutes(app: FastifyInstance, ctx: Context): void {
  app.get('/healthz', needs('public'), async (_request, reply) => {
    const [database, redis] = await Promise.all([
      check(() => sql`select 1`.execute(ctx.store.db)),
      check(() => ctx.queues.connection.ping()),
    ]);
    const ok = database.ok && redis.ok;
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', database, redis });
  });
}
