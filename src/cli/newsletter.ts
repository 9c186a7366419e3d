// `herald newsletter create|list|preview|test|send|status|pause|resume|cancel|resend-unknown|recipients|digest`.
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { Context } from '../app/context.js';
import { NEWSLETTER_KINDS, type NewsletterKind } from '../domain/newsletter.js';
import { RECIPIENT_STATUSES, type Newsletter, type RecipientStatus } from '../domain/newsletter-send.js';
import { getNewsletter, listNewsletters, listRecipients, progressOf } from '../store/newsletters.js';
import { runDigest } from '../newsletter/digest.js';
import { progressBar, progressSummary } from '../newsletter/progress-bar.js';
import { cancelSend, pauseSend, requestSend, resendUnknown, resumeSend } from '../newsletter/send-flow.js';
import { createNewsletter, previewNewsletter, sendTest } from '../newsletter/staff-tools.js';
import { MailSendError } from '../newsletter/transport.js';
import { withContext } from './with-context.js';

/** Mail-server refusals are the operator's to fix: one clear line naming the server's reply. */
async function withMailContext<T>(fn: (ctx: Context) => Promise<T>): Promise<T | undefined> {
  try {
    return await withContext(fn);
  } catch (error) {
    if (!(error instanceof MailSendError)) throw error;
    console.error(`herald: the mail server did not take the message: ${error.classification.reply}`);
    process.exitCode = 1;
    return undefined;
  }
}

const line = (n: Newsletter) =>
  `${n.id}  ${n.kind.padEnd(12)}  ${n.status.padEnd(9)}  ${n.scheduledAt ?? n.sentAt ?? n.startedAt ?? n.createdAt}  ${n.subject ?? `(${n.itemIds.length} item${n.itemIds.length === 1 ? '' : 's'})`}`;

/** Redraws a progress bar while the newsletter sends (a terminal), or prints one line (a pipe). */
async function showProgress(ctx: Context, id: string, watch: boolean): Promise<void> {
  const tty = process.stdout.isTTY === true;
  for (;;) {
    const [n, p] = await Promise.all([getNewsletter(ctx.store.db, id), progressOf(ctx.store.db, id)]);
    const live = n.status === 'sending' && watch;
    const text = `${n.status.padEnd(9)} ${progressBar(p)}`;
    if (tty && live) process.stdout.write(`\r${text}`);
    else {
      if (tty) process.stdout.write('\r');
      console.log(text);
    }
    if (!live) {
      if (p.unknown > 0)
        console.log(
          `${p.unknown} message(s) with an unknown outcome: "herald newsletter resend-unknown ${id}" sends them again (same Message-ID)`,
        );
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function registerNewsletterCommands(program: Command): void {
  const nl = program.command('newsletter').description('newsletters to member contacts');

  nl.command('create')
    .description('a draft newsletter of published items')
    .requiredOption('--kind <kind>', NEWSLETTER_KINDS.join('|'))
    .requiredOption('--items <ids>', 'comma-separated item ids')
    .option(
      '--subject <text>',
      'default: the item title (announcement) or "<organisation>: what\'s new" (digest)',
    )
    .action(async (opts: { kind: string; items: string; subject?: string }) => {
      if (!NEWSLETTER_KINDS.includes(opts.kind as NewsletterKind))
        throw new InvalidArgumentError(`--kind must be ${NEWSLETTER_KINDS.join(' or ')}`);
      const itemIds = opts.items
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      await withMailContext(async (ctx) =>
        console.log(
          line(
            await createNewsletter(
              ctx,
              { kind: opts.kind, itemIds, ...(opts.subject ? { subject: opts.subject } : {}) },
              'cli',
            ),
          ),
        ),
      );
    });

  nl.command('list')
    .description('newsletters, newest first')
    .option('--status <status>', 'only this status')
    .action(async (opts: { status?: string }) => {
      await withMailContext(async (ctx) => {
        const { newsletters, total } = await listNewsletters(ctx.store.db, {
          status: opts.status as Newsletter['status'] | undefined,
          limit: 50,
          offset: 0,
        });
        for (const n of newsletters)
          console.log(`${line(n)}  ${progressSummary(await progressOf(ctx.store.db, n.id))}`);
        console.log(`${newsletters.length} of ${total}`);
      });
    });

  nl.command('preview')
    .description('the message as a contact would get it (text by default)')
    .argument('<id>', 'newsletter id')
    .option('--as <email>', 'a contact (email or id); default: a neutral sample')
    .option('--language <code>', 'force a language')
    .option('--html', 'the HTML part instead of the text')
    .option('--out <file>', 'write to this file')
    .action(async (id: string, opts: { as?: string; language?: string; html?: boolean; out?: string }) => {
      await withMailContext(async (ctx) => {
        const p = await previewNewsletter(ctx, id, { as: opts.as, language: opts.language });
        const body = opts.html
          ? p.html
          : `To: ${p.to}\nSubject: ${p.subject}\nLanguage: ${p.language}\n\n${p.text}`;
        for (const w of p.warnings) console.error(`warning: ${w}`);
        if (opts.out) await writeFile(opts.out, body);
        else process.stdout.write(body);
      });
    });

  nl.command('test')
    .description('send it now to any address, marked [Test]; it does not count as sent to a member')
    .argument('<id>', 'newsletter id')
    .requiredOption('--to <email>', 'where to send it')
    .option('--language <code>', 'language of the test (default: the default language)')
    .action(async (id: string, opts: { to: string; language?: string }) => {
      await withMailContext(async (ctx) => {
        const r = await sendTest(
          ctx,
          id,
          { to: opts.to, ...(opts.language ? { language: opts.language } : {}) },
          'cli',
        );
        console.log(`sent to ${r.to}: ${r.response} (${r.messageId})`);
      });
    });

  nl.command('send')
    .description('send now, or at a time (--at 2026-12-07T09:00 --timezone Europe/Paris)')
    .argument('<id>', 'newsletter id')
    .option('--at <datetime>', 'ISO-8601; without an offset it is read in --timezone')
    .option('--timezone <zone>', 'IANA time zone for --at (default HERALD_TIMEZONE)')
    .option('--watch', 'show the progress bar until it is sent')
    .action(async (id: string, opts: { at?: string; timezone?: string; watch?: boolean }) => {
      await withMailContext(async (ctx) => {
        const n = await requestSend(ctx, id, { at: opts.at, timezone: opts.timezone, actor: 'cli' });
        if (n.status === 'scheduled') console.log(`${id}: scheduled for ${n.scheduledAt}`);
        else if (opts.watch) await showProgress(ctx, id, true);
        else
          console.log(
            `${id}: ${n.status}, ${n.recipientsTotal} recipients (watch with "herald newsletter status ${id}")`,
          );
      });
    });

  nl.command('status')
    .description('progress: sent / pending / deferred / bounced / failed; a live bar while it sends')
    .argument('<id>', 'newsletter id')
    .option('--once', 'print once, even while sending')
    .action(async (id: string, opts: { once?: boolean }) => {
      await withMailContext(async (ctx) => {
        console.log(line(await getNewsletter(ctx.store.db, id)));
        await showProgress(ctx, id, !opts.once);
      });
    });

  for (const [name, what, run] of [
    ['pause', 'stop taking recipients (messages already handed to the server finish)', pauseSend],
    ['resume', 'carry on with the recipients not sent yet', resumeSend],
    ['cancel', 'stop for good; what was not sent is cancelled', cancelSend],
  ] as const) {
    nl.command(name)
      .description(what)
      .argument('<id>', 'newsletter id')
      .action(async (id: string) => {
        await withMailContext(async (ctx) => console.log(line(await run(ctx, id, 'cli'))));
      });
  }

  nl.command('resend-unknown')
    .description('send again (same Message-ID) the messages whose outcome is unknown')
    .argument('<id>', 'newsletter id')
    .action(async (id: string) => {
      await withMailContext(async (ctx) => {
        const { resent } = await resendUnknown(ctx, id, 'cli');
        console.log(`${resent} message(s) queued again`);
      });
    });

  nl.command('recipients')
    .description('per-recipient results')
    .argument('<id>', 'newsletter id')
    .option('--status <status>', `only ${RECIPIENT_STATUSES.join('|')}`)
    .action(async (id: string, opts: { status?: string }) => {
      if (opts.status && !RECIPIENT_STATUSES.includes(opts.status as RecipientStatus))
        throw new InvalidArgumentError(`--status must be one of ${RECIPIENT_STATUSES.join(', ')}`);
      await withMailContext(async (ctx) => {
        const { recipients, total } = await listRecipients(ctx.store.db, id, {
          status: opts.status as RecipientStatus | undefined,
          limit: 500,
          offset: 0,
        });
        for (const r of recipients)
          console.log(`${r.email.padEnd(36)}  ${r.status.padEnd(9)}  ${r.attempts}  ${r.reply ?? ''}`);
        console.log(`${recipients.length} of ${total}`);
      });
    });

  nl.command('digest')
    .description('make and send the digest now (what the schedule does): nothing when nothing was published')
    .action(async () => {
      await withMailContext(async (ctx) => {
        const d = await runDigest(ctx);
        console.log(
          d.newsletter
            ? `${line(d.newsletter)}  (${d.items} items since ${d.from})`
            : `nothing published since ${d.from}: no digest`,
        );
      });
    });
}
