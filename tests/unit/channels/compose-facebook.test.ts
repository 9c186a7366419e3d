import { describe, expect, it } from 'vitest';
import { composerFor } from '../../../src/channels/platforms.js';
import { testItem } from '../../helpers/channel-fixtures.js';

const facebook = composerFor('facebook');
const account = { id: 'facebook-main' };

describe('facebook composition', () => {
  it('writes the full title and summary, paragraphs kept; the link travels as the link preview', () => {
    const summary = 'First paragraph,   with  spaces.\n\n\n\nSecond paragraph & more.';
    const post = facebook.compose(testItem({ summary }), account);
    expect(post.text).toBe(
      'Council approves new bike lanes\n\nFirst paragraph, with spaces.\n\nSecond paragraph & more.\n\n#cycling #cityCouncil',
    );
    expect(post.link).toBe('https://news.example.org/2026/bike-lanes');
    expect(post.image).toBeNull();
    expect(post.parts).toEqual([post.text]);
    expect(post.length).toBe([...post.text].length);
    expect(post.limit).toBe(63_206);
    expect(post.warnings).toEqual([]);
  });

  it('writes the link in the text of a photo post, which cannot show a link preview', () => {
    const post = facebook.compose(
      testItem({ imageUrl: 'https://news.example.org/bike.jpg', imageAlt: 'A green bike lane', tags: [] }),
      account,
    );
    expect(post.text).toBe(
      'Council approves new bike lanes\n\nThe city council voted 7-2 on Tuesday to build 12 km of protected bike lanes and widen sidewalks.\n\nhttps://news.example.org/2026/bike-lanes',
    );
    expect(post.image).toEqual({ url: 'https://news.example.org/bike.jpg', alt: 'A green bike lane' });
  });

  it('keeps HTML and entities as literal text', () => {
    const post = facebook.compose(
      testItem({
        title: '<script>alert(1)</script> & "friends"',
        summary: "R&D isn't <b>bold</b>",
        tags: [],
      }),
      account,
    );
    expect(post.text).toBe('<script>alert(1)</script> & "friends"\n\nR&D isn\'t <b>bold</b>');
  });

  it('uses the override as written, warning when a photo post would lose its link', () => {
    const item = testItem({
      imageUrl: 'https://news.example.org/bike.jpg',
      imageAlt: 'Bike',
      channelTexts: { facebook: 'Our own words.' },
    });
    const post = facebook.compose(item, account);
    expect(post.text).toBe('Our own words.');
    expect(post.warnings).toEqual([
      'The post is a photo, which cannot show a link preview, and the Facebook text has no link to the item.',
    ]);
  });
});
