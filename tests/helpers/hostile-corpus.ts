import type { NewsItem } from '../../src/domain/item.js';
import { makeItem } from './feed-items.js';

const ALL_C0 = Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)).join('');
const BIG_BODY = `<p>${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(1800)}</p>`; // ~100 kB

/**
 * Items whose text breaks naive feed writers. Tags and URLs deliberately break the domain rules
 * too: the feed builder must not rely on validation having happened.
 */
export function hostileItems(): NewsItem[] {
  const items: Partial<NewsItem>[] = [
    {
      title: 'Two ]]> CDATA ]]> ends',
      summary: 'Summary ]]> with ]]> ends',
      bodyHtml: '<p>Body ]]> one ]]> two</p>',
    },
    {
      title: 'Fish & Chips <b>bold</b> a<b && &amp; literal',
      tags: ['R&D', 'a<b', 'x"y', "it's"],
      url: 'https://www.example.org/news?a=1&b=<2>&c="q"#frag<x>',
      summary: 'a < b & c > d',
    },
    {
      title: `Controls:${ALL_C0}:end`,
      summary: `Sum${ALL_C0}`,
      bodyHtml: `<p>Body${ALL_C0}</p>`,
      tags: [`t${ALL_C0}ag`],
    },
    {
      title: 'Non-characters \uFFFE and \uFFFF here',
      summary: '\uFFFE',
      bodyHtml: '<p>\uFFFF &#xFFFE; &#1; &#0;</p>',
    },
    {
      title: 'Lone \uD800 high, \uDFFF low, x\uD83Dy',
      summary: 'half \uDC00 pair',
      bodyHtml: '<p>\uD800</p>',
    },
    { title: 'No&nbsp;break', bodyHtml: '<p>a&nbsp;b &copy; &#8212;</p>' },
    {
      title: 'Scripts',
      bodyHtml:
        '<p>Hi<script>alert(1)</script><img src="x.png" onerror="alert(2)"><a href="javascript:alert(3)">js</a>' +
        '<a href="#" onclick="alert(4)">c</a><iframe src="https://evil.example/"></iframe><style>p{}</style></p>',
    },
    {
      title: 'Relative links',
      url: 'https://www.example.org/news/2026/relative.html',
      bodyHtml:
        '<p><a href="/about">about</a> <a href="other.html">other</a> <img src="../img/a.png" alt="a"></p>',
    },
    { title: 'A 100 kB body', bodyHtml: BIG_BODY },
    {
      title: 'عربي עברית \u202Emixed RTL\u202C',
      summary: 'מה נשמע? كيف حالك؟',
      bodyHtml: '<p dir="rtl">שלום عالم</p>',
      language: 'ar',
    },
    { title: 'Emoji 👩‍👩‍👧 🇫🇷 🎉 𝒳', summary: '🎉🎉', tags: ['🎉', 'fête'] },
    { title: 'Carriage\r\nreturn and\ttab', summary: 'line1\r\nline2' },
    {
      title: 'Image & alt',
      imageUrl: 'https://cdn.example.org/img.php?id=1&size=<large>',
      imageAlt: 'A <b>bold</b> & "quoted" alt',
    },
  ];
  return items.map((overrides, index) =>
    makeItem({
      publishedAt: new Date(Date.UTC(2026, 4, 1, 12, 0, 0) - index * 60_000).toISOString(),
      ...overrides,
    }),
  );
}
