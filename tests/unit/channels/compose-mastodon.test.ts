import { describe, expect, it } from 'vitest';
import { itemForAccount } from '../../../src/channels/adapter.js';
import { composeMastodon, mastodonLength } from '../../../src/channels/mastodon/compose.js';
import { composerFor } from '../../../src/channels/platforms.js';
import { testItem } from '../../helpers/channel-fixtures.js';

const mastodon = composerFor('mastodon');
const account = { id: 'mastodon-main' };

describe('mastodon composition', () => {
  it('writes title, summary, link and hashtags; counts graphemes with every URL as 23', () => {
    const post = mastodon.compose(testItem(), account);
    expect(post.text).toBe(
      'Council approves new bike lanes\n\nThe city council voted 7-2 on Tuesday to build 12 km of protected bike lanes and widen sidewalks.\n\nhttps://news.example.org/2026/bike-lanes\n\n#cycling #cityCouncil',
    );
    expect(post).toMatchObject({ platform: 'mastodon', limit: 500, warnings: [], parts: [post.text] });
    expect(post.length).toBe(post.text.length - 'https://news.example.org/2026/bike-lanes'.length + 23);
    expect(mastodonLength('👩‍👩‍👧 é https://a.example.org/x http://b.example.eu/' + 'y'.repeat(100))).toBe(
      1 + 1 + 1 + 1 + 23 + 1 + 23,
    );
    expect(mastodonLength('example.org has no protocol')).toBe('example.org has no protocol'.length);
  });

  it('shortens a long summary at a word, or threads it when asked', () => {
    const summary = Array.from({ length: 80 }, (_, i) => `Word${i} again.`).join(' ');
    const single = mastodon.compose(testItem({ summary }), account);
    expect(single.parts).toHaveLength(1);
    expect(single.length).toBeLessThanOrEqual(500);
    expect(single.text).toContain('…');
    expect(single.warnings).toContain('Shortened to fit the 500 characters of Mastodon.');
    const thread = mastodon.compose(testItem({ summary, thread: true }), account);
    expect(thread.parts.length).toBeGreaterThan(1);
    thread.parts.forEach((p, i) => expect(p.startsWith(`${i + 1}/${thread.parts.length} `)).toBe(true));
    for (const p of thread.parts) expect(mastodonLength(p)).toBeLessThanOrEqual(500);
    expect(thread.warnings).toEqual([]);
  });

  it("follows the instance's limits when given", () => {
    const post = composeMastodon(testItem(), 'x', undefined, { maxCharacters: 100, urlLength: 30 });
    expect(post.limit).toBe(100);
    expect(post.length).toBeLessThanOrEqual(100);
  });

  it('uses the Mastodon text staff wrote, and warns when it is too long', () => {
    const post = mastodon.compose(
      testItem({ channelTexts: { mastodon: 'Ours: ' + 'a'.repeat(600) } }),
      account,
    );
    expect(post.parts).toHaveLength(1);
    expect(post.warnings[0]).toMatch(/^Too long: 606 of 500 characters/);
  });
});

describe('accounts with a language', () => {
  const item = testItem({
    language: 'en',
    translations: { 'fr-BE': { title: 'Nouvelles pistes', summary: 'Le conseil a voté.' } },
    channelTexts: { mastodon: 'English text for every Mastodon account', 'md-fr': 'Texte du compte' },
  });

  it('posts the translation in that language, the original otherwise', () => {
    const fr = itemForAccount(item, { id: 'md-be', platform: 'mastodon', language: 'fr-be' });
    expect(fr).toMatchObject({
      title: 'Nouvelles pistes',
      summary: 'Le conseil a voté.',
      language: 'fr-BE',
      url: item.url,
    });
    // The platform's text is written in English: it no longer applies; an account's own text does.
    expect(mastodon.compose(fr, { id: 'md-be' }).text).toContain('Nouvelles pistes');
    expect(
      itemForAccount(item, { id: 'md-fr', platform: 'mastodon', language: 'fr-BE' }).channelTexts,
    ).toEqual({
      'md-fr': 'Texte du compte',
    });
    expect(itemForAccount(item, { id: 'md-de', platform: 'mastodon', language: 'de' })).toBe(item);
    expect(itemForAccount(item, { id: 'md', platform: 'mastodon' })).toBe(item);
    expect(itemForAccount(item, { id: 'md', platform: 'mastodon', language: 'en' })).toBe(item);
  });
});
