import type { Context } from './context.js';
import { expiryStage, daysLeft, type ExpiryStage } from '../domain/token-expiry.js';
import { listAudit, recordAudit } from '../store/audit.js';
import { listUsers } from '../store/users.js';
import { newsletterSettings } from '../newsletter/settings.js';
import { createMailTransport } from '../newsletter/transport.js';

export interface ExpiringToken {
  accountId: string;
  name: string;
  expiresAt: Date;
  stage: ExpiryStage;
}

type ExpiryContext = Pick<Context, 'channels' | 'store' | 'config'>;

/** Accounts whose token expires within a week (or has expired), with the warning due. */
export function expiringTokens(ctx: Pick<Context, 'channels'>, now: Date): ExpiringToken[] {
  return ctx.channels.accounts().flatMap((account) => {
    const expiresAt = ctx.channels.get(account.id)?.channel.tokenExpiresAt?.() ?? null;
    const stage = expiresAt ? expiryStage(expiresAt, now) : null;
    return expiresAt && stage ? [{ accountId: account.id, name: account.name, expiresAt, stage }] : [];
  });
}

/** Whether this stage of this expiry was already mailed (a renewed token has another expiry, warned anew). */
async function alreadyWarned(ctx: ExpiryContext, token: ExpiringToken): Promise<boolean> {
  const entries = await listAudit(ctx.store.db, 'account', token.accountId);
  return entries.some(
    (e) =>
      e.action === 'token_expiry_warned' &&
      e.details.stage === token.stage &&
      e.details.expiresAt === token.expiresAt.toISOString(),
  );
}

function warningText(ctx: ExpiryContext, token: ExpiringToken, now: Date): { subject: string; text: string } {
  const days = daysLeft(token.expiresAt, now);
  const when =
    days < 0
      ? 'has expired'
      : days === 0
        ? 'expires today'
        : `expires in ${days} day${days === 1 ? '' : 's'}`;
  return {
    subject: `${ctx.config.organisationName}: the token of ${token.name} ${when}`,
    text: [
      `The token Herald uses to post to ${token.name} (${token.accountId}) ${when} (${token.expiresAt.toISOString()}).`,
      `Posts to this account will wait until it is renewed: reconnect it on the Channels page (${ctx.config.publicUrl}/channels) or put a new token in the configuration.`,
    ].join('\n\n'),
  };
}

/**
 * Mails the admins about tokens that expire: a week ahead and again on the day, each once per expiry. Run
 * daily with the account check. Returns the warnings sent.
 */
export async function warnExpiringTokens(ctx: ExpiryContext, now = new Date()): Promise<ExpiringToken[]> {
  const due: ExpiringToken[] = [];
  for (const token of expiringTokens(ctx, now)) if (!(await alreadyWarned(ctx, token))) due.push(token);
  const admins = (await listUsers(ctx.store.db)).filter((u) => u.role === 'admin' && !u.disabled);
  if (due.length === 0 || admins.length === 0) return [];
  const settings = newsletterSettings(ctx.config);
  const transport = createMailTransport({
    smtpUrl: settings.smtpUrl,
    emlDir: settings.emlDir,
    maxConnections: 1,
  });
  try {
    for (const token of due) {
      await transport.send({
        from: settings.from,
        to: admins.map((a) => a.email),
        headers: { 'Auto-Submitted': 'auto-generated' },
        ...warningText(ctx, token, now),
      });
      await recordAudit(ctx.store.db, {
        actor: 'checker',
        action: 'token_expiry_warned',
        subjectType: 'account',
        subjectId: token.accountId,
        details: { stage: token.stage, expiresAt: token.expiresAt.toISOString() },
      });
    }
  } finally {
    transport.close();
  }
  return due;
}
