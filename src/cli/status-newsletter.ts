// The newsletters part of `herald status`: contacts by status, sends under way or needing a decision.
import type { Context } from '../app/context.js';
import { countContactsByStatus } from '../store/members.js';
import { listNewslettersByStatus, progressOf } from '../store/newsletters.js';
import { progressSummary } from '../newsletter/progress-bar.js';

export async function newsletterStatus(ctx: Context) {
  const [contacts, open] = await Promise.all([
    countContactsByStatus(ctx.store.db),
    listNewslettersByStatus(ctx.store.db, ['scheduled', 'sending', 'paused']),
  ]);
  const newsletters = await Promise.all(
    open.map(async (n) => ({
      id: n.id,
      kind: n.kind,
      status: n.status,
      scheduledAt: n.scheduledAt,
      progress: await progressOf(ctx.store.db, n.id),
    })),
  );
  return { newsletters: { contacts, open: newsletters } };
}

export function printNewsletterStatus({ newsletters }: Awaited<ReturnType<typeof newsletterStatus>>): void {
  const contacts =
    Object.entries(newsletters.contacts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  console.log(`Newsletter contacts: ${contacts}`);
  if (newsletters.open.length === 0) console.log('No newsletter scheduled or being sent.');
  for (const n of newsletters.open) {
    const when = n.status === 'scheduled' ? ` for ${n.scheduledAt}` : '';
    const decide =
      n.progress.unknown > 0 ? ' (outcome unknown for some: see "herald newsletter resend-unknown")' : '';
    console.log(
      `  ${n.id}  ${n.kind.padEnd(12)} ${n.status}${when}  ${progressSummary(n.progress)}${decide}`,
    );
  }
}
