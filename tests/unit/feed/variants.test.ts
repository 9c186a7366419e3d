import { describe, expect, it } from 'vitest';
import {
  InvalidFeedVariantError,
  feedFilePath,
  feedUrlPath,
  feedUrls,
  languageVariant,
  parseFeedUrlPath,
  tagVariant,
} from '../../../src/feed/variants.js';
import type { FeedVariant } from '../../../src/feed/variants.js';
import {
  feedDate,
  feedVariantsFor,
  itemsInLanguage,
  itemsWithTag,
  latestFeedItems,
  selectForVariants,
} from '../../../src/feed/select.js';
import { makeItem } from '../../helpers/feed-items.js';

describe('feed file layout', () => {
  it('maps each variant and format to a path under the feeds directory', () => {
    expect(feedFilePath({ kind: 'all' }, 'rss')).toBe('rss.xml');
    expect(feedFilePath({ kind: 'all' }, 'atom')).toBe('atom.xml');
    expect(feedFilePath({ kind: 'all' }, 'json')).toBe('feed.json');
    expect(feedFilePath(languageVariant('fr-BE'), 'rss')).toBe('lang/fr-be/rss.xml');
    expect(feedFilePath(tagVariant('Élections'), 'json')).toBe('tag/élections/feed.json');
  });

  it.each(['..', '../etc', 'a/b', 'a\\b', '.hidden', '', 'a b', 'a\u0000', 'x'.repeat(51)])(
    'refuses the tag %j',
    (tag) => {
      expect(() => tagVariant(tag)).toThrow(InvalidFeedVariantError);
      expect(() => feedFilePath({ kind: 'tag', tag }, 'rss')).toThrow(InvalidFeedVariantError);
    },
  );

  it.each(['..', 'fr/..', 'english', 'fr_BE', '', 'x-'])('refuses the language %j', (language) => {
    expect(() => languageVariant(language)).toThrow(InvalidFeedVariantError);
    expect(() => feedFilePath({ kind: 'language', language }, 'rss')).toThrow(InvalidFeedVariantError);
  });

  it('gives public URLs and parses them back', () => {
    const variants: FeedVariant[] = [{ kind: 'all' }, languageVariant('fr'), tagVariant('café')];
    for (const variant of variants) {
      for (const format of ['rss', 'atom', 'json'] as const) {
        expect(parseFeedUrlPath(feedUrlPath(variant, format))).toEqual({ variant, format });
      }
    }
    expect(feedUrlPath(tagVariant('café'), 'rss')).toBe('/feeds/tag/caf%C3%A9/rss.xml');
    expect(feedUrls('https://herald.example.org/base', languageVariant('fr'))).toEqual({
      rss: 'https://herald.example.org/base/feeds/lang/fr/rss.xml',
      atom: 'https://herald.example.org/base/feeds/lang/fr/atom.xml',
      json: 'https://herald.example.org/base/feeds/lang/fr/feed.json',
    });
  });

  it('parses request paths, with /feed.xml as an alias, and refuses anything else', () => {
    expect(parseFeedUrlPath('/feed.xml')).toEqual({ variant: { kind: 'all' }, format: 'rss' });
    expect(parseFeedUrlPath('/feeds/tag/News/atom.xml')).toEqual({
      variant: { kind: 'tag', tag: 'news' },
      format: 'atom',
    });
    for (const path of [
      '/feeds/tag/%2E%2E/rss.xml',
      '/feeds/tag/a%2Fb/rss.xml',
      '/feeds/lang/../rss.xml',
      '/feeds/x/fr/rss.xml',
      '/rss.json',
      '/feeds/tag/%E0/rss.xml',
      '/a/rss.xml',
    ]) {
      expect(parseFeedUrlPath(path)).toBeNull();
    }
  });
});

describe('feed item filters', () => {
  const en = makeItem({ language: 'en', tags: ['Sport', 'local'] });
  const frBE = makeItem({ language: 'fr-BE', tags: ['sport'] });
  const fr = makeItem({ language: 'fr', tags: [] });
  const draft = makeItem({ language: 'de', tags: ['secret'], status: 'draft' });

  it('selects by language: a primary tag covers its regions', () => {
    expect(itemsInLanguage([en, frBE, fr], 'fr')).toEqual([frBE, fr]);
    expect(itemsInLanguage([en, frBE, fr], 'fr-be')).toEqual([frBE]);
    expect(itemsInLanguage([en, frBE, fr], 'f')).toEqual([]);
  });

  it('selects by tag, ignoring case', () => {
    expect(itemsWithTag([en, frBE, fr], 'SPORT')).toEqual([en, frBE]);
  });

  it('lists the variants the published items call for', () => {
    expect(feedVariantsFor([en, frBE, fr, draft])).toEqual([
      { kind: 'all' },
      { kind: 'language', language: 'en' },
      { kind: 'language', language: 'fr' },
      { kind: 'tag', tag: 'local' },
      { kind: 'tag', tag: 'sport' },
    ]);
  });
});

describe("choosing every variant's items in one walk", () => {
  it('gives each variant the ids latestFeedItems gives for its items, within its limit', () => {
    const languages = ['en', 'fr', 'fr-BE', 'de'];
    const tags = [['Sport'], ['sport', 'local'], [], ['local']];
    const items = Array.from({ length: 300 }, (_, i) =>
      makeItem({
        language: languages[i % 4]!,
        tags: tags[(i * 7) % 4]!,
        // Repeated instants: ties are broken by id.
        publishedAt: new Date(Date.UTC(2026, 0, 1) + (i % 50) * 60_000).toISOString(),
      }),
    );
    const outlines = items.map((item) => ({ ...item, time: feedDate(item).getTime() }));
    const variants = feedVariantsFor(items);
    const limits = [1000, 7, 0, 40, 25, 30];
    const chosen = selectForVariants(outlines, variants, (v) => limits[variants.indexOf(v)]!);
    const expected = variants.map((variant, i) => {
      const own =
        variant.kind === 'all'
          ? items
          : variant.kind === 'language'
            ? itemsInLanguage(items, variant.language)
            : itemsWithTag(items, variant.tag);
      return latestFeedItems(own, limits[i]).map((item) => item.id);
    });
    expect(variants).toHaveLength(6);
    expect(chosen).toEqual(expected);
    expect(chosen.map((ids) => ids.length)).toEqual([300, 7, 0, 40, 25, 30]);
  });
});
