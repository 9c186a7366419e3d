import { describe, expect, it } from 'vitest';
import { isEmptyMetadata, parsePageMetadata } from '../../../src/net/link-card.js';

const PAGE = 'https://example.org/news/shade';

describe('parsePageMetadata', () => {
  it('reads og: tags, decoding entities and resolving a relative og:image against the page', () => {
    const html = `<!doctype html><html><head><title>Ignored</title>
      <meta property="og:title" content="Shade &amp; trees &#8211; &quot;2030&quot;">
      <meta property="og:description" content="Caf&eacute; routes">
      <meta property="og:image" content="/img/shade.jpg">
      <meta property="og:site_name" content="Example News"></head><body></body></html>`;
    expect(parsePageMetadata(html, PAGE)).toEqual({
      title: 'Shade & trees – "2030"',
      description: 'Café routes',
      image: 'https://example.org/img/shade.jpg',
      siteName: 'Example News',
    });
  });

  it('falls back to twitter: tags, then <title> and the meta description', () => {
    const twitter = `<meta name="twitter:title" content="From Twitter"><meta name="twitter:image" content="pic.png">`;
    expect(parsePageMetadata(twitter, PAGE)).toMatchObject({
      title: 'From Twitter',
      image: 'https://example.org/news/pic.png',
    });
    const plain = `<title>  Plain
      title </title><meta name="description" content="A summary">`;
    expect(parsePageMetadata(plain, PAGE)).toEqual({
      title: 'Plain title',
      description: 'A summary',
      image: null,
      siteName: null,
    });
  });

  it('says when a page has none of the tags, and drops an image that is not http(s)', () => {
    const metadata = parsePageMetadata(
      '<p>No head at all</p><meta property="og:image" content="javascript:x">',
      PAGE,
    );
    expect(metadata).toEqual({ title: null, description: null, image: null, siteName: null });
    expect(isEmptyMetadata(metadata)).toBe(true);
  });
});
