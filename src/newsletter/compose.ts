// From a newsletter row to one recipient's message: the items (a snapshot once sending started), the
// compiled template per language (cached: MJML runs once per newsletter and language in a process),
// the signed links, the Handlebars render and the nodemailer message.
import { withUploads } from '../store/media.js';
import type { Kysely } from 'kysely';
import type { SendMailOptions } from 'nodemailer';
import { ValidationError } from '../domain/errors.js';
import type { Newsletter } from '../domain/newsletter-send.js';
import type { Database } from '../store/schema.js';
import { rowToItem } from '../store/items.js';
import type { NewsletterItem } from './content.js';
import { buildNewsletterMessage } from './message.js';
import type { CompiledNewsletter, RenderedNewsletter } from './render.js';
import { compileNewsletter, renderFor } from './render.js';
import type { NewsletterSettings } from './settings.js';
import { contactLinks } from './unsubscribe-token.js';
import { feedbackId, verpAddress, verpToken } from './verp.js';

/** The fields of an item a newsletter shows (what the snapshot keeps). */
export function toNewsletterItem(item: NewsletterItem): NewsletterItem {
  const { id, title, summary, bodyHtml, url, imageUrl, imageAlt, language, translations, publishedAt } = item;
  return { id, title, summary, bodyHtml, url, imageUrl, imageAlt, language, translations, publishedAt };
}

/** The items in the order given; every missing (or, with requirePublished, unpublished) one is named. */
export async function loadItems(
  db: Kysely<Database>,
  itemIds: readonly string[],
  /** publicUrl: uploaded pictures are linked there (their newsletter version). */
  opts: { requirePublished: boolean; publicUrl: string },
): Promise<NewsletterItem[]> {
  if (itemIds.length === 0) throw new ValidationError({ itemIds: 'a newsletter needs at least one item' });
  const rows = await db
    .selectFrom('items')
    .selectAll()
    .where('id', 'in', [...itemIds])
    .execute();
  const byId = new Map(rows.map((r) => [r.id, rowToItem(r)]));
  const problems: Record<string, string> = {};
  itemIds.forEach((id, index) => {
    const item = byId.get(id);
    if (!item) problems[`itemIds.${index}`] = `no item ${id}`;
    else if (opts.requirePublished && item.status !== 'published')
      problems[`itemIds.${index}`] = `item ${id} is ${item.status}, not published`;
  });
  if (Object.keys(problems).length > 0) throw new ValidationError(problems);
  const items = await withUploads(
    db,
    itemIds.map((id) => byId.get(id)!),
    'newsletter',
    opts.publicUrl,
  );
  return items.map(toNewsletterItem);
}

/** What recipients see: the snapshot taken when sending started, else the items as they are now. */
export async function itemsOf(
  db: Kysely<Database>,
  newsletter: Newsletter,
  publicUrl: string,
): Promise<NewsletterItem[]> {
  if (newsletter.content) return newsletter.content as NewsletterItem[];
  return loadItems(db, newsletter.itemIds, { requirePublished: false, publicUrl });
}

export function compileFor(
  newsletter: Newsletter,
  items: NewsletterItem[],
  language: string,
  settings: NewsletterSettings,
): Promise<CompiledNewsletter> {
  return compileNewsletter({
    kind: newsletter.kind,
    items,
    language,
    branding: settings.branding,
    subject: newsletter.subject ?? undefined,
    timeZone: settings.timezone,
    layoutHtml: newsletter.layout ?? undefined,
  });
}

/** Compiled newsletters of this process, by newsletter and language (a small LRU). */
export class CompiledCache {
  private readonly entries = new Map<string, Promise<CompiledNewsletter>>();

  constructor(private readonly max = 200) {}

  get(
    newsletter: Newsletter,
    items: NewsletterItem[],
    language: string,
    settings: NewsletterSettings,
  ): Promise<CompiledNewsletter> {
    const key = `${newsletter.id}|${language}`;
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
    } else {
      entry = compileFor(newsletter, items, language, settings);
      entry.catch(() => this.entries.delete(key));
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, entry);
    return entry;
  }
}

export interface MessageRecipient {
  /** The recipient row (absent for previews and test sends): names the VERP return path. */
  recipientId?: string | undefined;
  contactId: string;
  email: string;
  name: string;
  authorityName: string;
}

export interface ComposedMessage {
  content: RenderedNewsletter;
  message: SendMailOptions;
  unsubscribeUrl: string;
}

/** One recipient's message: signed links, Handlebars render (microseconds), nodemailer options. */
export function composeMessage(
  compiled: CompiledNewsletter,
  newsletter: Pick<Newsletter, 'id' | 'kind'>,
  to: MessageRecipient,
  settings: NewsletterSettings,
  opts: { subjectPrefix?: string; preview?: boolean } = {},
): ComposedMessage {
  const newsletterId = newsletter.id;
  const links = contactLinks({
    baseUrl: settings.publicUrl,
    key: settings.tokenKeys[0]!,
    contactId: to.contactId,
    newsletterId,
    preview: opts.preview ?? false,
  });
  const rendered = renderFor(compiled, {
    name: to.name,
    email: to.email,
    authorityName: to.authorityName,
    ...links,
  });
  const content = opts.subjectPrefix
    ? { ...rendered, subject: `${opts.subjectPrefix}${rendered.subject}` }
    : rendered;
  const message = buildNewsletterMessage({
    newsletterId,
    contactId: to.contactId,
    from: settings.from,
    to: to.name ? { name: to.name, address: to.email } : { address: to.email },
    replyTo: settings.replyTo,
    returnPath: returnPathFor(to, settings),
    feedbackId: feedbackId(newsletterId, newsletter.kind, settings.list.id),
    content,
    unsubscribeUrl: links.unsubscribeUrl,
    unsubscribeMailto: settings.unsubscribeMailto,
    list: settings.list,
    messageIdHost: settings.messageIdHost,
    dkim: settings.dkim,
  });
  return { content, message, unsubscribeUrl: links.unsubscribeUrl };
}

/** `bounces+<token>@domain` for a recipient row when a bounce address is set; else the configured return path. */
function returnPathFor(to: MessageRecipient, settings: NewsletterSettings): string | undefined {
  if (!settings.bounceAddress) return settings.returnPath;
  if (!to.recipientId) return settings.bounceAddress;
  return verpAddress(settings.bounceAddress, verpToken(to.recipientId, settings.tokenKeys[0]!));
}
