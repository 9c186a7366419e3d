import { describeSources } from '../../ingest/source-status.js';
import { doneRatio } from '../../domain/newsletter-send.js';
import { listNewslettersByStatus, progressOf } from '../../store/newsletters.js';
import { progressText } from './newsletter-view.js';
import type { WebDeps } from './deps.js';
import { endingVersions, heldAccounts, overBudgetPosts } from './attention-platforms.js';
import { expiringTokens } from '../../app/token-expiry.js';
import { daysLeft } from '../../domain/token-expiry.js';
import { plainDate } from '../../domain/plain-time.js';

export interface AttentionEntry {
  label: string;
  href: string | null;
  detail: string | null;
  error: boolean;
  /** 0-100 for a progress bar, or null. */
  progress: number | null;
}

export interface AttentionSection {
  heading: string;
  entries: AttentionEntry[];
}

/** Website feeds Herald imports whose last poll failed. */
async function failingSources(deps: WebDeps): Promise<AttentionEntry[]> {
  const sources = await describeSources(deps.ctx.store.db, deps.ctx.config.feed.sources);
  return sources
    .filter((s) => s.lastError !== null)
    .map((s) => ({
      label: s.id,
      href: null,
      detail: deps.views.t('dashboard.sourceFailed', {
        reason: s.lastError!.reason,
        count: s.consecutiveFailures,
        url: s.url,
      }),
      error: true,
      progress: null,
    }));
}

/** Newsletters going out (with their progress), paused, or waiting for a decision about unknown outcomes. */
async function activeNewsletters(deps: WebDeps): Promise<AttentionEntry[]> {
  const db = deps.ctx.store.db;
  const newsletters = await listNewslettersByStatus(db, ['sending', 'paused']);
  return Promise.all(
    newsletters.map(async (n) => {
      const progress = await progressOf(db, n.id);
      const label = n.subject ?? deps.views.t(`newsletter.kind.${n.kind}`);
      const state = deps.views.t(`newsletter.status.${n.status}`);
      return {
        label,
        href: `/newsletters/${n.id}`,
        detail: `${state}: ${progressText(deps.views, progress)}`,
        error: n.status === 'paused' || progress.unknown > 0,
        progress: Math.round(doneRatio(progress) * 100),
      };
    }),
  );
}

/** Accounts whose token expires within a week, or has expired. */
function expiringTokenEntries(deps: WebDeps, now: Date): AttentionEntry[] {
  return expiringTokens(deps.ctx, now).map((token) => {
    const days = daysLeft(token.expiresAt, now);
    const date = plainDate(token.expiresAt);
    return {
      label: token.name,
      href: '/channels',
      detail:
        days < 0
          ? deps.views.t('dashboard.tokenExpired', { date })
          : days === 0
            ? deps.views.t('dashboard.tokenExpiresToday', { date })
            : deps.views.t('dashboard.tokenExpires', { count: days, date }),
      error: token.stage === 'day',
      progress: null,
    };
  });
}

/** What the dashboard's "needs attention" shows besides failed deliveries and accounts. */
export async function attentionExtras(
  deps: WebDeps,
): Promise<{ count: number; sections: AttentionSection[] }> {
  const [sources, newsletters, held, overBudget] = await Promise.all([
    failingSources(deps),
    activeNewsletters(deps),
    heldAccounts(deps),
    overBudgetPosts(deps),
  ]);
  const versions = endingVersions(deps, new Date());
  const tokens = expiringTokenEntries(deps, new Date());
  const sections = [
    { heading: deps.views.t('dashboard.tokens'), entries: tokens },
    { heading: deps.views.t('dashboard.sources'), entries: sources },
    { heading: deps.views.t('dashboard.newsletters'), entries: newsletters },
    { heading: deps.views.t('dashboard.heldAccounts'), entries: held },
    { heading: deps.views.t('dashboard.overBudget'), entries: overBudget },
    { heading: deps.views.t('dashboard.versions'), entries: versions },
  ].filter((s) => s.entries.length > 0);
  return { count: sections.reduce((sum, s) => sum + s.entries.length, 0), sections };
}
