// Public routes behind a newsletter's links (outside the /api bearer scope). The signed token is the
// only credential. GET never changes anything (mail scanners follow links); POST /u/:token
// unsubscribes with no cookie and no redirect, as RFC 8058 one-click does; a bad token gets the same
// bare 404 whatever is wrong with it.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../../app/context.js';
import { ValidationError } from '../../domain/errors.js';
import { findContact } from '../../store/members.js';
import type { StoredContact } from '../../store/members.js';
import { findNewsletter } from '../../store/newsletters.js';
import { compileFor, itemsOf } from '../../newsletter/compose.js';
import { templateLanguages } from '../../newsletter/i18n.js';
import {
  asPreview,
  confirmUnsubscribePage,
  invalidLinkPage,
  PAGE_HEADERS,
  pageLanguage,
  preferencesPage,
  testLinkPage,
  unsubscribedPage,
  WEB_VERSION_HEADERS,
  type PageContact,
} from '../../newsletter/pages.js';
import { renderWebVersion } from '../../newsletter/render.js';
import { newsletterSettings } from '../../newsletter/settings.js';
import { isTestContactId } from '../../newsletter/staff-tools.js';
import { savePreferences, unsubscribe } from '../../newsletter/subscriptions.js';
import { defaultTemplatesDir } from '../../newsletter/templates.js';
import type { TokenClaims, TokenPurpose } from '../../newsletter/unsubscribe-token.js';
import { signToken, tokenUrl, verifyToken } from '../../newsletter/unsubscribe-token.js';
import { needs } from '../route-access.js';

type Resolved =
  | { kind: 'contact'; claims: TokenClaims; contact: StoredContact }
  | { kind: 'preview' }
  | { kind: 'test' }
  | { kind: 'invalid' };

export function unsubscribeRoutes(app: FastifyInstance, ctx: Context): void {
  const keys = () => newsletterSettings(ctx.config).tokenKeys;
  const org = () => newsletterSettings(ctx.config).branding.organisationName;
  const preferencesUrl = (contactId: string, preview = false) =>
    tokenUrl(
      ctx.config.publicUrl,
      '/p',
      signToken({ purpose: 'preferences', contactId, preview }, keys()[0]!),
    );

  async function resolve(token: string, purpose: TokenPurpose): Promise<Resolved> {
    const claims = verifyToken(token, keys(), purpose);
    if (!claims) return { kind: 'invalid' };
    if (claims.preview) return { kind: 'preview' };
    if (isTestContactId(claims.contactId)) return { kind: 'test' };
    const contact = await findContact(ctx.store.db, claims.contactId);
    return contact ? { kind: 'contact', claims, contact } : { kind: 'invalid' };
  }

  const send = (reply: FastifyReply, status: number, html: string) =>
    reply.code(status).headers(PAGE_HEADERS).send(html);
  const unusable = (reply: FastifyReply, r: Resolved) =>
    r.kind === 'test' ? send(reply, 200, testLinkPage()) : send(reply, 404, invalidLinkPage());
  // Preview and test-send links show the pages for a sample contact and never act, whatever the method.
  const sample = (): PageContact => ({
    email: 'contact@example.org',
    language: newsletterSettings(ctx.config).defaultLanguage,
    status: 'active',
    subscriptions: { announcements: true, digest: true },
  });
  const previewPage = (reply: FastifyReply, purpose: 'unsubscribe' | 'preferences') => {
    const c = sample();
    const html =
      purpose === 'unsubscribe'
        ? confirmUnsubscribePage(c, org(), preferencesUrl('preview', true))
        : preferencesPage(c, org(), languageChoices(c.language), false);
    return send(reply, 200, asPreview(html, pageLanguage(c.language)));
  };
  // Wildcard routes: tokens are longer than the router's limit for a `:param` (100 characters).
  const tokenOf = (params: unknown) => String((params as { '*'?: unknown })['*'] ?? '');

  app.register(async (pub) => {
    // Mail clients post `List-Unsubscribe=One-Click` as a form (urlencoded or multipart), some with other
    // content types (RFC 8058 clients vary); the token is what authorises, so any body with any content
    // type is accepted (the inherited JSON parser too is replaced) and only the preferences form is read.
    formBodiesOnly(pub);

    pub.get('/u/*', needs('signed-link'), async (request, reply) => {
      const r = await resolve(tokenOf(request.params), 'unsubscribe');
      if (r.kind === 'preview') return previewPage(reply, 'unsubscribe');
      if (r.kind !== 'contact') return unusable(reply, r);
      return send(reply, 200, confirmUnsubscribePage(r.contact, org(), preferencesUrl(r.contact.id)));
    });

    pub.post('/u/*', needs('signed-link'), async (request, reply) => {
      const r = await resolve(tokenOf(request.params), 'unsubscribe');
      if (r.kind === 'preview') return previewPage(reply, 'unsubscribe');
      if (r.kind !== 'contact') return unusable(reply, r);
      await unsubscribe(ctx.store, r.contact.id, { newsletterId: r.claims.newsletterId, via: 'link' });
      return send(reply, 200, unsubscribedPage(r.contact, org(), preferencesUrl(r.contact.id)));
    });

    pub.get('/p/*', needs('signed-link'), async (request, reply) => {
      const r = await resolve(tokenOf(request.params), 'preferences');
      if (r.kind === 'preview') return previewPage(reply, 'preferences');
      if (r.kind !== 'contact') return unusable(reply, r);
      return send(reply, 200, preferencesPage(r.contact, org(), languageChoices(r.contact.language), false));
    });

    pub.post('/p/*', needs('signed-link'), async (request, reply) => {
      const r = await resolve(tokenOf(request.params), 'preferences');
      if (r.kind === 'preview') return previewPage(reply, 'preferences');
      if (r.kind !== 'contact') return unusable(reply, r);
      const form = (request.body ?? {}) as Record<string, string>;
      try {
        const saved = await savePreferences(ctx.store, r.contact.id, {
          subscriptions: { announcements: form.announcements === 'yes', digest: form.digest === 'yes' },
          ...(form.language ? { language: form.language } : {}),
        });
        return send(reply, 200, preferencesPage(saved, org(), languageChoices(saved.language), true));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return send(
          reply,
          400,
          preferencesPage(r.contact, org(), languageChoices(r.contact.language), false),
        );
      }
    });

    pub.get('/w/*', needs('signed-link'), async (request, reply) => {
      const claims = verifyToken(tokenOf(request.params), keys(), 'web');
      const newsletter = claims?.newsletterId
        ? await findNewsletter(ctx.store.db, claims.newsletterId)
        : null;
      if (!claims || !newsletter || !newsletter.content) return send(reply, 404, invalidLinkPage());
      const contact = isTestContactId(claims.contactId)
        ? null
        : await findContact(ctx.store.db, claims.contactId);
      const settings = newsletterSettings(ctx.config);
      const compiled = await compileFor(
        newsletter,
        await itemsOf(ctx.store.db, newsletter, ctx.config.publicUrl),
        contact?.language ?? settings.defaultLanguage,
        settings,
      );
      return reply.code(200).headers(WEB_VERSION_HEADERS).send(renderWebVersion(compiled));
    });
  });
}

/** A public scope's bodies: an urlencoded form is read (16 kB at most); any other body is read as empty. */
export function formBodiesOnly(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16_384 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 16_384 }, (_req, _body, done) =>
    done(null, {}),
  );
}

/** The languages newsletters exist in, each named in itself, plus the contact's own. */
export function languageChoices(current: string): Array<{ code: string; name: string }> {
  const codes = [...new Set([...templateLanguages(defaultTemplatesDir()), current])].sort();
  return codes.map((code) => ({ code, name: autonym(code) }));
}

function autonym(code: string): string {
  try {
    const name = new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code;
    return name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
  } catch {
    return code;
  }
}
