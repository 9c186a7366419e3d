import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { disconnectAccount, finishConnect, startConnect } from '../../app/connect.js';
import { ConnectError } from '../../channels/connect/oauth.js';
import { isConnectable, type ConnectablePlatform } from '../../channels/connect/platforms.js';
import { NotFoundError } from '../../domain/errors.js';
import { PLATFORMS } from '../../channels/platforms.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';
import { redirectWith, sendPage } from './render.js';
import { needs } from '../route-access.js';
import { pathId } from '../schemas.js';

const ACCOUNT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Connection refusals said in the page's language; others keep the platform-specific words of the error. */
const TRANSLATED = new Set(['connect_state_missing', 'connect_state_unknown', 'connect_denied']);

function platformOf(params: unknown): ConnectablePlatform {
  const platform = (params as { platform?: string }).platform ?? '';
  if (!isConnectable(platform)) throw new NotFoundError('platform', platform);
  return platform;
}

function connectFailed(deps: WebDeps, request: FastifyRequest, reply: FastifyReply, error: ConnectError) {
  const message = TRANSLATED.has(error.code) ? deps.views.t(`connect.error.${error.code}`) : error.message;
  return sendPage(
    deps,
    request,
    reply,
    'error',
    { title: deps.views.t('connect.failedTitle'), message, reason: error.code },
    400,
  );
}

/**
 * Admins connect accounts (OAuth with the platform, tokens stored encrypted), reconnect them and disconnect
 * them. The callback is a page the platform sends the person back to, signed in as when they left.
 */
export function connectPages(app: FastifyInstance, deps: WebDeps): void {
  app.post('/channels/connect/:platform', needs('channels:write'), async (request, reply) => {
    const platform = platformOf(request.params);
    const form = (request.body ?? {}) as FormBody;
    try {
      const url = await startConnect(deps.ctx, platform, {
        instance: form.instance === undefined ? undefined : one(form, 'instance'),
        accountId: form.account === undefined ? undefined : one(form, 'account'),
        staffUserId: request.signedIn!.user.id,
      });
      // A page with a link, not a redirect: the pages' CSP (form-action 'self') stops a form's redirect off-site.
      return sendPage(deps, request, reply, 'connect-continue', {
        title: deps.views.t('connect.continueTitle', { platform: PLATFORMS[platform].displayName }),
        platform: PLATFORMS[platform].displayName,
        host: new URL(url).host,
        url,
      });
    } catch (error) {
      if (error instanceof ConnectError) return connectFailed(deps, request, reply, error);
      throw error;
    }
  });

  app.get('/channels/callback/:platform', needs('channels:write'), async (request, reply) => {
    const platform = platformOf(request.params);
    const query = new URLSearchParams(request.query as Record<string, string>);
    try {
      const done = await finishConnect(deps.ctx, platform, query);
      return redirectWith(deps, request, reply, '/channels', {
        kind: 'ok',
        key: done.reconnected ? 'connect.reconnected' : 'connect.connected',
        params: { name: done.name },
      });
    } catch (error) {
      if (error instanceof ConnectError) return connectFailed(deps, request, reply, error);
      throw error;
    }
  });

  app.post('/channels/:id/disconnect', needs('channels:write'), async (request, reply) => {
    const id = pathId(request.params, ACCOUNT_ID, 'account');
    const result = await disconnectAccount(deps.ctx, id, request.signedIn!.user.id);
    return redirectWith(deps, request, reply, '/channels', {
      kind: 'ok',
      key: result.revoked ? 'connect.disconnectedRevoked' : 'connect.disconnected',
      params: { id },
    });
  });
}
