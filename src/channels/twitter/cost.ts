import { hasUrl } from '../text.js';

/** X's pay-per-use prices in US dollars (configuration `twitter.prices`). */
export interface XPrices {
  post: number;
  postWithUrl: number;
  postRead: number;
}

/** What posting costs on X: each part (a thread's tweets) priced with or without a URL. */
export interface XPostCost {
  usd: number;
  /** The dollars as shown, e.g. "$0.215". */
  shown: string;
  /** How many parts are priced with a URL, and without. */
  postsWithUrl: number;
  posts: number;
  parts: Array<{ withUrl: boolean; usd: number }>;
}

/** Whole micro-dollars, so that sums of prices such as 0.015 stay exact. */
const micros = (usd: number) => Math.round(usd * 1_000_000);
export const fromMicros = (value: number) => value / 1_000_000;

export function xPostCost(parts: readonly string[], prices: XPrices): XPostCost {
  const priced = parts.map((text) => {
    const withUrl = hasUrl(text);
    return { withUrl, usd: withUrl ? prices.postWithUrl : prices.post };
  });
  const usd = fromMicros(priced.reduce((sum, p) => sum + micros(p.usd), 0));
  const postsWithUrl = priced.filter((p) => p.withUrl).length;
  return { usd, shown: formatUsd(usd), postsWithUrl, posts: priced.length - postsWithUrl, parts: priced };
}

export function addUsd(a: number, b: number): number {
  return fromMicros(micros(a) + micros(b));
}

/** What X charged one delivery, counted in its progress by the adapter (`xUsage`). */
export interface XUsage {
  posts: number;
  postsWithUrl: number;
  postsRead: number;
}

const count = (value: unknown) => (typeof value === 'number' && value >= 0 ? value : 0);

export function xUsageOf(progress: Record<string, unknown>): XUsage {
  const usage = (progress.xUsage ?? {}) as Record<string, unknown>;
  return {
    posts: count(usage.posts),
    postsWithUrl: count(usage.postsWithUrl),
    postsRead: count(usage.postsRead),
  };
}

/** The progress entry after more usage. */
export function addXUsage(progress: Record<string, unknown>, more: Partial<XUsage>): { xUsage: XUsage } {
  const usage = xUsageOf(progress);
  return {
    xUsage: {
      posts: usage.posts + (more.posts ?? 0),
      postsWithUrl: usage.postsWithUrl + (more.postsWithUrl ?? 0),
      postsRead: usage.postsRead + (more.postsRead ?? 0),
    },
  };
}

export function usageCost(usage: XUsage, prices: XPrices): number {
  return fromMicros(
    usage.posts * micros(prices.post) +
      usage.postsWithUrl * micros(prices.postWithUrl) +
      usage.postsRead * micros(prices.postRead),
  );
}

/** "$0.215", "$12.40": dollars with the cents, and the tenths of a cent X's prices have. */
export function formatUsd(usd: number): string {
  const wholeCents = micros(usd) % 10_000 === 0;
  return `$${usd.toFixed(wholeCents ? 2 : 3)}`;
}
