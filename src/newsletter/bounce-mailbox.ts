// The bounce mailbox (HERALD_BOUNCE_IMAP_URL): every message in it is read (mailparser), understood
// (bounce-report.ts), applied (feedback.ts), then moved to a folder: `processed` for what was applied or
// ignored, `unparsed` for what a person must look at (also listed on the newsletter page with the
// reason). Nothing is ever deleted. A run is safe to repeat: an event applies once.
import { createHash } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { HeraldConfig } from '../config/schema.js';
import type { SuppressionPolicy } from '../domain/mail-feedback.js';
import type { Store } from '../store/db.js';
import { insertUnparsed } from '../store/mail-feedback.js';
import type { ReadOptions, Reading } from './bounce-report.js';
import { readReport } from './bounce-report.js';
import { applyFeedback } from './feedback.js';
import { newsletterSettings } from './settings.js';

export interface MailboxEndpoint {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  mailbox: string;
  processedFolder: string;
  unparsedFolder: string;
  rejectUnauthorized: boolean;
}

/** `imaps://user:pass@host[:993]/INBOX?processed=Herald/Processed&unparsed=Herald/Unparsed` (imap:// uses STARTTLS when offered). */
export function parseMailboxUrl(url: string): MailboxEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('HERALD_BOUNCE_IMAP_URL is not a valid URL');
  }
  const secure = u.protocol === 'imaps:';
  if (!secure && u.protocol !== 'imap:')
    throw new Error('HERALD_BOUNCE_IMAP_URL must start with imap:// or imaps://');
  if (!u.hostname || !u.username)
    throw new Error('HERALD_BOUNCE_IMAP_URL needs a user and a host (imaps://user:password@host/INBOX)');
  for (const key of u.searchParams.keys()) {
    if (!['processed', 'unparsed', 'rejectUnauthorized'].includes(key))
      throw new Error(`HERALD_BOUNCE_IMAP_URL parameter "${key}" is not supported`);
  }
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 993 : 143,
    secure,
    user: decodeURIComponent(u.username),
    pass: decodeURIComponent(u.password),
    mailbox: decodeURIComponent(u.pathname.replace(/^\/+/, '')) || 'INBOX',
    processedFolder: u.searchParams.get('processed') ?? 'Herald/Processed',
    unparsedFolder: u.searchParams.get('unparsed') ?? 'Herald/Unparsed',
    rejectUnauthorized: u.searchParams.get('rejectUnauthorized') !== 'false',
  };
}

export interface MailboxDeps {
  store: Store;
  log: Logger;
  policy: SuppressionPolicy;
  read: ReadOptions;
}

export interface MailboxRun {
  applied: number;
  ignored: number;
  unparsed: number;
}

type Verdict = { folder: 'processed' | 'unparsed'; counted: keyof MailboxRun };

/** imapflow when a bounce mailbox is first read: installs without one never load it. */
async function client(endpoint: MailboxEndpoint): Promise<ImapFlow> {
  const { ImapFlow } = await import('imapflow');
  return new ImapFlow({
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.secure,
    auth: { user: endpoint.user, pass: endpoint.pass },
    tls: { rejectUnauthorized: endpoint.rejectUnauthorized },
    logger: false,
  });
}

async function ensureFolder(imap: ImapFlow, path: string): Promise<void> {
  const existing = await imap.list();
  if (!existing.some((box) => box.path === path)) await imap.mailboxCreate(path);
}

export class BounceMailbox {
  private readonly endpoint: MailboxEndpoint;
  private running: Promise<MailboxRun> | null = null;
  private again = false;

  constructor(
    url: string,
    private readonly deps: MailboxDeps,
  ) {
    this.endpoint = parseMailboxUrl(url);
  }

  /** Reads and files every message in the mailbox. Runs one at a time; a call during a run makes one more run. */
  run(): Promise<MailboxRun> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.runOnce().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.run().catch((error: Error) =>
          this.deps.log.warn({ err: error.message }, 'bounce mailbox run failed'),
        );
      }
    });
    return this.running;
  }

  private async runOnce(): Promise<MailboxRun> {
    const imap = await client(this.endpoint);
    const counts: MailboxRun = { applied: 0, ignored: 0, unparsed: 0 };
    await imap.connect();
    try {
      await ensureFolder(imap, this.endpoint.processedFolder);
      await ensureFolder(imap, this.endpoint.unparsedFolder);
      const lock = await imap.getMailboxLock(this.endpoint.mailbox);
      try {
        const messages: Array<{ uid: number; source: Buffer }> = [];
        const exists = imap.mailbox ? imap.mailbox.exists : 0;
        if (exists > 0) {
          for await (const m of imap.fetch('1:*', { uid: true, source: true }))
            if (m.source) messages.push({ uid: m.uid, source: m.source });
        }
        const moves: Record<Verdict['folder'], number[]> = { processed: [], unparsed: [] };
        for (const message of messages) {
          const verdict = await this.file(message.source);
          counts[verdict.counted]++;
          moves[verdict.folder].push(message.uid);
        }
        if (moves.processed.length > 0)
          await imap.messageMove(moves.processed.join(','), this.endpoint.processedFolder, { uid: true });
        if (moves.unparsed.length > 0)
          await imap.messageMove(moves.unparsed.join(','), this.endpoint.unparsedFolder, { uid: true });
      } finally {
        lock.release();
      }
    } finally {
      await imap.logout().catch(() => imap.close());
    }
    if (counts.applied + counts.unparsed > 0) this.deps.log.info(counts, 'bounce mailbox read');
    return counts;
  }

  /** One message: applied, ignored, or kept for a person. */
  async file(source: Buffer): Promise<Verdict> {
    const { simpleParser } = await import('mailparser');
    const mail = await simpleParser(source, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
    });
    const raw = source.toString('latin1');
    const reading = readReport(mail, raw, this.deps.read);
    const messageId = mail.messageId ?? `sha256-${createHash('sha256').update(source).digest('hex')}`;
    if (reading.type === 'ignored') return { folder: 'processed', counted: 'ignored' };
    if (reading.type === 'feedback') {
      const known = await this.apply(reading, messageId);
      if (known) return { folder: 'processed', counted: 'applied' };
    }
    const reason =
      reading.type === 'unparsed'
        ? reading.reason
        : 'a report about nobody Herald knows (no VERP token, Message-ID or address of a contact)';
    await insertUnparsed(this.deps.store.db, {
      receivedAt: (mail.date ?? new Date()).toISOString(),
      folder: this.endpoint.unparsedFolder,
      messageId: mail.messageId ?? null,
      sender: mail.from?.value[0]?.address ?? null,
      subject: mail.subject?.slice(0, 300) ?? null,
      reason,
      newsletterId:
        reading.type === 'unparsed'
          ? (reading.newsletterId ?? null)
          : (reading.items[0]?.target.newsletterId ?? null),
    });
    return { folder: 'unparsed', counted: 'unparsed' };
  }

  /** Applies each item; false when none named anyone we know. */
  private async apply(reading: Extract<Reading, { type: 'feedback' }>, messageId: string): Promise<boolean> {
    let known = false;
    for (const [i, item] of reading.items.entries()) {
      const result = await applyFeedback(this.deps.store, this.deps.policy, {
        kind: item.kind,
        source: 'mailbox',
        eventId: `${messageId}#${i}`,
        detail: item.detail,
        ...item.target,
      });
      if (result.outcome !== 'unknown_recipient') known = true;
    }
    return known;
  }

  /**
   * Keeps a connection open in IDLE and runs whenever mail arrives (and once at the start). Returns a
   * function that stops watching.
   */
  async watch(): Promise<() => Promise<void>> {
    const imap = await client(this.endpoint);
    const kick = () =>
      void this.run().catch((error: Error) =>
        this.deps.log.warn({ err: error.message }, 'bounce mailbox run failed'),
      );
    imap.on('exists', kick);
    imap.on('error', (error: Error) =>
      this.deps.log.warn({ err: error.message }, 'bounce mailbox connection error'),
    );
    await imap.connect();
    await imap.mailboxOpen(this.endpoint.mailbox, { readOnly: true });
    kick();
    return async () => {
      imap.off('exists', kick);
      await imap.logout().catch(() => imap.close());
      await this.running?.catch(() => undefined);
    };
  }
}

/** The bounce mailbox of this configuration, or null when HERALD_BOUNCE_IMAP_URL is not set. */
export function configuredBounceMailbox(deps: {
  store: Store;
  log: Logger;
  config: HeraldConfig;
}): BounceMailbox | null {
  const nl = deps.config.newsletter;
  if (!nl.bounceMailbox.url) return null;
  const settings = newsletterSettings(deps.config);
  return new BounceMailbox(nl.bounceMailbox.url, {
    store: deps.store,
    log: deps.log,
    policy: nl.suppression,
    read: { bounceAddress: settings.bounceAddress, tokenKeys: settings.tokenKeys },
  });
}
