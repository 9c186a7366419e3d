import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context } from '../../app/context.js';
import { calendarFeed } from '../../app/calendar.js';
import { needs } from '../route-access.js';

const FEED_PATH = /^[A-Za-z0-9_-]{43}\.ics$/;

/** The token is the address: request lines are logged without it. */
const requestWithoutToken = (request: FastifyRequest) => ({
  method: request.method,
  url: '/calendar/feed/[redacted].ics',
});

// Public: a staff member's iCalendar feed at their secret address (calendar apps cannot sign in). An
// unknown, malformed or revoked token gets the same bare 404.
export function calendarFeedRoutes(app: FastifyInstance, ctx: Context): void {
  app.get(
    '/calendar/feed/:file',
    { ...needs('signed-link'), logSerializers: { req: requestWithoutToken } },
    async (request, reply) => {
      const file = (request.params as { file: string }).file;
      const ics = FEED_PATH.test(file) ? await calendarFeed(ctx, file.slice(0, -4)) : null;
      if (ics === null)
        return reply
          .code(404)
          .header('cache-control', 'no-store')
          .type('text/plain; charset=utf-8')
          .send('Not found\n');
      return reply
        .header('cache-control', 'private, no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .type('text/calendar; charset=utf-8')
        .send(ics);
    },
  );
}
