// The CLI's view of a send in progress.
import type { ProgressCounts } from '../domain/newsletter-send.js';
import { doneRatio } from '../domain/newsletter-send.js';

export function progressSummary(p: ProgressCounts): string {
  const parts = [
    `sent ${p.sent}`,
    `pending ${p.pending + p.sending}`,
    `deferred ${p.deferred}`,
    `bounced ${p.bounced}`,
    `failed ${p.failed}`,
  ];
  if (p.skipped) parts.push(`skipped ${p.skipped}`);
  if (p.cancelled) parts.push(`cancelled ${p.cancelled}`);
  if (p.unknown) parts.push(`unknown ${p.unknown}`);
  return `${parts.join(' · ')} / ${p.total}`;
}

/** `[#########-----------]  45%  sent 90 · pending 110 · ... / 200` */
export function progressBar(p: ProgressCounts, width = 30): string {
  const ratio = doneRatio(p);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${progressSummary(p)}`;
}
