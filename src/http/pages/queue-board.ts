import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SAFE_METHODS } from './csrf.js';
import type { WebDeps } from './deps.js';
import { QUEUES_CSP, securityHeaders } from './headers.js';
import { onSurface } from '../route-access.js';

export const QUEUES_PATH = '/admin/queues';

/**
 * The board is read-only: every request of it that would change something (retry, promote, clean, pause,
 * add, remove a job...) answers 405 on the server, whatever its UI shows. Retrying goes through Herald's
 * own Retry, which re-checks the delivery first. Runs after authorization, before any body is read.
 */
async function refuseWrites(request: FastifyRequest, reply: FastifyReply) {
  if (SAFE_METHODS.has(request.method)) return;
  reply.header('allow', 'GET, HEAD');
  return reply.code(405).send({
    error: {
      code: 'read_only',
      message: 'the queue dashboard is read-only; retry failed deliveries on the item page',
    },
  });
}

/**
 * The board's page asks Google Fonts for its typeface. Its CSP refuses that (a console error), and staff's
 * browsers should not call a third party from an admin page anyway: the link is taken out and the board
 * falls back to the system fonts its CSS names next.
 */
const GOOGLE_FONTS_LINK = /<link[^>]*fonts\.googleapis\.com[^>]*>\s*/g;
async function withoutThirdPartyFonts(_request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  const html = String(reply.getHeader('content-type') ?? '').startsWith('text/html');
  return html && typeof payload === 'string' ? payload.replace(GOOGLE_FONTS_LINK, '') : payload;
}

/** The @bull-board queue dashboard for admins (queues:read), behind the same sign-in, read-only. */
export function queueBoard(deps: WebDeps) {
  return async (app: FastifyInstance) => {
    onSurface(app, 'page');
    app.addHook('onRoute', (route) => {
      route.config = { ...route.config, permission: 'queues:read' };
    });
    app.addHook('onRequest', securityHeaders(QUEUES_CSP));
    app.addHook('onRequest', refuseWrites);
    app.addHook('onSend', withoutThirdPartyFonts);
    // The board's error messages use NUL as a separator and quote the value received: one in the URL makes it fail (500).
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.includes('%00'))
        return reply
          .code(400)
          .send({ error: { code: 'bad_request', message: deps.views.t('error.request.title') } });
    });
    const adapter = new FastifyAdapter();
    adapter.setBasePath(QUEUES_PATH);
    createBullBoard({
      queues: deps.ctx.queues
        .all()
        .map((q) => new BullMQAdapter(q, { allowRetries: false, readOnlyMode: true })),
      serverAdapter: adapter,
      options: {
        uiConfig: {
          boardTitle: `${deps.ctx.config.organisationName} queues`,
          // The board is a separate app with its own header: its menu leads back to Herald's pages.
          miscLinks: [{ text: deps.views.t('queues.backToHerald'), url: '/' }],
        },
      },
    });
    await app.register(adapter.registerPlugin() as Parameters<FastifyInstance['register']>[0], {
      prefix: QUEUES_PATH,
    });
  };
}
