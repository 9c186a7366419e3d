// What staff do with a newsletter besides sending it: create, edit a draft, preview as a contact,
// send a test to any address (which never counts as sent to a member).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { normaliseEmail, normaliseLanguage } from '../domain/member.js';
import { NEWSLETTER_KINDS } from '../domain/newsletter.js';
import type { Newsletter } from '../domain/newsletter-send.js';
import { canDoNewsletter } from '../domain/newsletter-send.js';
import { fieldErrorsFromZod } from '../domain/zod-errors.js';
import { recordAudit } from '../store/audit.js';
import { nowIso } from '../store/db.js';
import { findAuthority, findContact, findContactByEmail } from '../store/members.js';
import { getNewsletter, insertNewsletter, transitionNewsletter } from '../store/newsletters.js';
import { toJson } from '../store/json.js';
import type { MessageRecipient } from './compose.js';
import { compileFor, composeMessage, itemsOf, loadItems } from './compose.js';
import type { NewsletterDeps } from './send-flow.js';
import { newsletterSettings, type NewsletterSettings } from './settings.js';
import { createMailTransport, MailSendError } from './transport.js';

const subject = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((v) => !/[\r\n]/.test(v), 'must be one line');
const itemIds = z
  .array(
    z.string({ error: 'must be item ids' }).regex(/^itm_[0-9a-f]{32}$/, 'must be an item id (itm_...)'),
    { error: 'must be a list of item ids' },
  )
  .min(1, 'needs at least one item')
  .max(50, 'at most 50 items');

export const newsletterInputSchema = z.strictObject({
  kind: z.enum(NEWSLETTER_KINDS, { error: `must be one of ${NEWSLETTER_KINDS.join(', ')}` }),
  itemIds,
  subject: subject.optional(),
});
export const newsletterPatchSchema = z.strictObject({
  itemIds: itemIds.optional(),
  subject: subject.nullable().optional(),
});

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) throw new ValidationError(fieldErrorsFromZod(parsed.error));
  return parsed.data;
}

export async function createNewsletter(
  deps: NewsletterDeps,
  input: unknown,
  actor: string,
): Promise<Newsletter> {
  const fields = parse(newsletterInputSchema, input);
  await loadItems(deps.store.db, fields.itemIds, {
    requirePublished: false,
    publicUrl: deps.config.publicUrl,
  });
  const { newsletter } = await insertNewsletter(deps.store.db, {
    ...fields,
    source: 'staff',
    createdBy: actor,
  });
  await recordAudit(deps.store.db, {
    actor,
    action: 'newsletter_created',
    subjectType: 'newsletter',
    subjectId: newsletter.id,
    details: { kind: fields.kind, items: fields.itemIds },
  });
  return newsletter;
}

export async function editNewsletter(
  deps: NewsletterDeps,
  id: string,
  input: unknown,
  actor: string,
): Promise<Newsletter> {
  const patch = parse(newsletterPatchSchema, input);
  const current = await getNewsletter(deps.store.db, id);
  if (!canDoNewsletter('edit', current.status))
    throw new ConflictError(`only a draft can be edited; this newsletter is ${current.status}`, 'not_draft');
  if (patch.itemIds)
    await loadItems(deps.store.db, patch.itemIds, {
      requirePublished: false,
      publicUrl: deps.config.publicUrl,
    });
  const change = {
    ...(patch.itemIds ? { itemIds: toJson(patch.itemIds) } : {}),
    ...(patch.subject !== undefined ? { subject: patch.subject } : {}),
  };
  if (!(await transitionNewsletter(deps.store.db, id, ['draft'], change)))
    throw new ConflictError('the newsletter changed meanwhile; reload and try again', 'changed');
  await recordAudit(deps.store.db, {
    actor,
    action: 'newsletter_edited',
    subjectType: 'newsletter',
    subjectId: id,
    details: { fields: Object.keys(patch) },
  });
  return getNewsletter(deps.store.db, id);
}

export interface Preview {
  to: string;
  language: string;
  subject: string;
  html: string;
  text: string;
  /** Branding Herald still needs before sending over SMTP. */
  warnings: string[];
}

/** Who a preview is addressed to: a contact (id or email), or a neutral sample. */
async function previewRecipient(
  deps: NewsletterDeps,
  who: string | undefined,
): Promise<MessageRecipient & { language: string }> {
  const settings = newsletterSettings(deps.config);
  if (!who)
    return {
      contactId: 'preview',
      email: 'contact@example.org',
      name: '',
      authorityName: '',
      language: settings.defaultLanguage,
    };
  const contact = /^ctc_[0-9a-f]{32}$/.test(who)
    ? await findContact(deps.store.db, who)
    : await findContactByEmail(deps.store.db, who);
  if (!contact) throw new NotFoundError('contact', who.slice(0, 120));
  const authority = contact.authorityId ? await findAuthority(deps.store.db, contact.authorityId) : null;
  return {
    contactId: contact.id,
    email: contact.email,
    name: contact.name,
    authorityName: authority?.name ?? '',
    language: contact.language,
  };
}

export async function previewNewsletter(
  deps: NewsletterDeps,
  id: string,
  opts: { as?: string | undefined; language?: string | undefined },
): Promise<Preview> {
  const settings = newsletterSettings(deps.config);
  const newsletter = await getNewsletter(deps.store.db, id);
  const recipient = await previewRecipient(deps, opts.as);
  const language = opts.language ? checkLanguage(opts.language, 'language') : recipient.language;
  const compiled = await compileWithItems(deps, newsletter, language, settings);
  const { content } = composeMessage(compiled, newsletter, recipient, settings, { preview: true }); // its links show pages that never act
  return {
    to: recipient.email,
    language: compiled.stringsLanguage,
    subject: content.subject,
    html: content.html,
    text: content.text,
    warnings: settings.brandingGaps,
  };
}

/** The newsletter compiled with the items its recipients would see (preview and test sends). */
async function compileWithItems(
  deps: NewsletterDeps,
  newsletter: Newsletter,
  language: string,
  settings: NewsletterSettings,
) {
  const items = await itemsOf(deps.store.db, newsletter, deps.config.publicUrl);
  return compileFor(newsletter, items, language, settings);
}

function checkLanguage(value: string, field: string): string {
  const language = normaliseLanguage(value);
  if (!language) throw new ValidationError({ [field]: 'must be a supported language code such as en or fr' });
  return language;
}

export const testSendSchema = z.strictObject({
  to: z.string({ error: 'must be an email address' }).max(254),
  language: z.string({ error: 'must be a language code' }).max(35).optional(),
});

export interface TestSendResult {
  to: string;
  messageId: string;
  response: string;
}

/**
 * Sends the newsletter to any address, marked "[Test]", right now and outside the queue. It creates no
 * recipient row: it never counts as sent to a member. Its links carry a test contact id, which the
 * unsubscribe and preferences pages recognise and never act on.
 */
export async function sendTest(
  deps: NewsletterDeps,
  id: string,
  input: unknown,
  actor: string,
): Promise<TestSendResult> {
  const body = parse(testSendSchema, input);
  const to = normaliseEmail(body.to);
  if (!to) throw new ValidationError({ to: 'must be a valid email address' });
  const settings = newsletterSettings(deps.config);
  const newsletter = await getNewsletter(deps.store.db, id);
  const language = body.language ? checkLanguage(body.language, 'language') : settings.defaultLanguage;
  const compiled = await compileWithItems(deps, newsletter, language, settings);
  const recipient = {
    contactId: `test-${randomBytes(6).toString('hex')}`,
    email: to,
    name: '',
    authorityName: '',
  };
  const { message } = composeMessage(compiled, newsletter, recipient, settings, {
    subjectPrefix: '[Test] ',
    preview: true,
  });
  const transport = createMailTransport({
    smtpUrl: settings.smtpUrl,
    emlDir: settings.emlDir,
    maxConnections: 1,
  });
  try {
    const receipt = await transport.send(message);
    await recordAudit(deps.store.db, {
      actor,
      action: 'newsletter_test_sent',
      subjectType: 'newsletter',
      subjectId: id,
      details: { to, messageId: receipt.messageId, response: receipt.response, at: nowIso() },
    });
    return { to, messageId: receipt.messageId, response: receipt.response };
  } finally {
    transport.close();
  }
}

export { MailSendError };

/** Test contact ids (see sendTest): links with one never change a real contact. */
export const isTestContactId = (contactId: string): boolean =>
  /^(test-[0-9a-f]{12}|preview)$/.test(contactId);
