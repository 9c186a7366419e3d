import { describe, expect, it } from 'vitest';
import { planPublication, planWithdrawal, type DeliveryTarget } from '../../../src/domain/publication.js';
import type { NewsItem } from '../../../src/domain/item.js';

const targets: DeliveryTarget[] = [
  { kind: 'channel', target: 'twitter', updates: false, deletes: true },
  { kind: 'channel', target: 'facebook', updates: true, deletes: true },
  { kind: 'feed', target: 'main', updates: true, deletes: true },
];
const item = (publishedRevision: number | null) => ({ publishedRevision }) as NewsItem;

describe('publication plan', () => {
  it('first publication creates on every target', () => {
    expect(planPublication(item(null), targets, new Set()).map((p) => `${p.target}:${p.action}`)).toEqual([
      'twitter:create',
      'facebook:create',
      'main:create',
    ]);
  });
  it('a new revision updates only where possible, and creates where nothing went out yet', () => {
    const delivered = new Set(['channel|twitter', 'channel|facebook', 'feed|main']);
    expect(planPublication(item(1), targets, delivered).map((p) => `${p.target}:${p.action}`)).toEqual([
      'facebook:update',
      'main:update',
    ]);
    const facebookMissing = new Set(['channel|twitter', 'feed|main']);
    expect(planPublication(item(1), targets, facebookMissing).map((p) => `${p.target}:${p.action}`)).toEqual([
      'facebook:create',
      'main:update',
    ]);
  });
  it('withdrawal deletes posts only when asked, and always rebuilds feeds', () => {
    const delivered = new Set(['channel|twitter', 'channel|facebook', 'feed|main']);
    expect(planWithdrawal(targets, delivered, false).map((p) => p.target)).toEqual(['main']);
    expect(planWithdrawal(targets, delivered, true).map((p) => p.target)).toEqual([
      'twitter',
      'facebook',
      'main',
    ]);
  });
});
