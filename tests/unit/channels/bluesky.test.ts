import { describe, expect, it } from 'vitest';
import { blueskyComposer } from '../../../src/channels/bluesky/compose.js';
import { blueskyLength, localFacets, shortLink } from '../../../src/channels/bluesky/rich.js';
import { TID_PATTERN, deliveryRecordKey } from '../../../src/channels/bluesky/tid.js';
import { testAccount, testItem } from '../../helpers/channel-fixtures.js';

const ALPHABET = '234567abcdefghijklmnopqrstuvwxyz';
const micros = (tid: string) => [...tid].reduce((n, c) => n * 32n + BigInt(ALPHABET.indexOf(c)), 0n) >> 10n;

describe('record keys', () => {
  const at = '2026-12-07T14:00:00.123Z';
  it('are valid TIDs, the same every time, different per delivery and per part', () => {
    const key = deliveryRecordKey('dlv_1', at, 0);
    expect(key).toMatch(TID_PATTERN);
    expect(deliveryRecordKey('dlv_1', at, 0)).toBe(key);
    expect(deliveryRecordKey('dlv_1', at, 1)).not.toBe(key);
    expect(deliveryRecordKey('dlv_2', at, 0)).not.toBe(key);
  });
  it("carry the delivery's creation time in microseconds", () => {
    const us = micros(deliveryRecordKey('dlv_1', at, 0));
    expect(us / 1000n).toBe(BigInt(Date.parse(at)));
  });
});

describe('text as Bluesky shows and counts it', () => {
  it('shortens long links as the app does and keeps short ones', () => {
    expect(shortLink('https://example.org/a')).toBe('example.org/a');
    expect(shortLink('https://www.example.org/2026/12/some-long-path?x=1')).toBe(
      'www.example.org/2026/12/some...',
    );
  });
  it('gives byte offsets after right-to-left text and emoji', () => {
    const text = 'שלום 👋🏽 مرحبا https://example.org/2026/12/some-long-path #חדשות';
    const { text: shown, facets } = localFacets(text);
    const slice = (f: (typeof facets)[number]) =>
      Buffer.from(shown).subarray(f.index.byteStart, f.index.byteEnd).toString();
    expect(facets.map(slice)).toEqual(['example.org/2026/12/some...', '#חדשות']);
  });
  it('counts graphemes, not code units', () => {
    expect(blueskyLength('👩‍👩‍👧‍👦é')).toBe(2);
  });
  it('composes within 300 graphemes, with a warning when shortened, or as a thread', () => {
    const account = testAccount('bluesky');
    const summary = 'Les vélos 🚲 roulent. '.repeat(40);
    const single = blueskyComposer.compose(testItem({ summary }), account);
    expect(single.parts).toHaveLength(1);
    expect(single.length).toBeLessThanOrEqual(300);
    expect(single.warnings).toContain("Shortened to fit Bluesky's 300 characters.");
    const thread = blueskyComposer.compose(testItem({ summary, thread: true }), account);
    expect(thread.parts.length).toBeGreaterThan(2);
    for (const part of thread.parts) expect(blueskyLength(part)).toBeLessThanOrEqual(300);
    expect(thread.parts.join(' ')).toContain('roulent. Les vélos');
  });
});
