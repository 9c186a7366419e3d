import { describe, expect, it } from 'vitest';
import { composerFor } from '../../../src/channels/platforms.js';
import { tweetLength } from '../../../src/channels/text.js';
import type { NewsItem } from '../../../src/domain/item.js';
import { testItem } from '../../helpers/channel-fixtures.js';

const twitter = composerFor('twitter');
const account = { id: 'twitter-main' };

const LONG =
  'Residents packed the hall for four hours. Supporters said the lanes would make streets safer for children and older people, while opponents worried about parking and deliveries. The plan includes new crossings near three schools, a 30 km/h limit on residential streets and a review after one year.';
const CJK =
  '市議会は火曜日、保護された自転車専用レーン十二キロの建設と歩道の拡幅を七対二で可決した。反対派は駐車場と配送への影響を懸念している。工事は三月に始まる予定だ。';

interface Row {
  name: string;
  item: Partial<NewsItem>;
  text: string;
  warnings: string[];
}

// The exact tweet for each kind of item. Regenerate deliberately if the template changes.
const ROWS: Row[] = [
  {
    name: 'short',
    item: {},
    text: 'Council approves new bike lanes\n\nThe city council voted 7-2 on Tuesday to build 12 km of protected bike lanes and widen sidewalks.\n\nhttps://news.example.org/2026/bike-lanes #cycling #cityCouncil',
    warnings: [],
  },
  {
    name: 'long summary',
    item: { summary: LONG },
    text: 'Council approves new bike lanes\n\nResidents packed the hall for four hours. Supporters said the lanes would make streets safer for children and older people, while opponents worried about parking and deliveries. The plan includes…\n\nhttps://news.example.org/2026/bike-lanes #cycling #cityCouncil',
    warnings: ["Shortened to fit Twitter's 280 characters."],
  },
  {
    name: 'long URL',
    item: {
      url: 'https://news.example.org/2026/11/27/council-approves-new-protected-bike-lanes-and-wider-sidewalks-after-four-hour-debate?utm_source=herald&utm_medium=social&utm_campaign=cycling',
    },
    text: 'Council approves new bike lanes\n\nThe city council voted 7-2 on Tuesday to build 12 km of protected bike lanes and widen sidewalks.\n\nhttps://news.example.org/2026/11/27/council-approves-new-protected-bike-lanes-and-wider-sidewalks-after-four-hour-debate?utm_source=herald&utm_medium=social&utm_campaign=cycling #cycling #cityCouncil',
    warnings: [],
  },
  {
    name: 'long URL and long summary',
    item: {
      summary: LONG,
      url: 'https://news.example.org/2026/11/27/council-approves-new-protected-bike-lanes-and-wider-sidewalks-after-four-hour-debate?utm_source=herald',
    },
    text: 'Council approves new bike lanes\n\nResidents packed the hall for four hours. Supporters said the lanes would make streets safer for children and older people, while opponents worried about parking and deliveries. The plan includes…\n\nhttps://news.example.org/2026/11/27/council-approves-new-protected-bike-lanes-and-wider-sidewalks-after-four-hour-debate?utm_source=herald #cycling #cityCouncil',
    warnings: ["Shortened to fit Twitter's 280 characters."],
  },
  {
    name: 'many hashtags',
    item: {
      summary: LONG,
      tags: [
        'cycling',
        'city-council',
        'urban-planning',
        'road-safety',
        'schools',
        'parking',
        'mobility',
        'climate',
        'transport',
        'local-news',
      ],
    },
    text: 'Council approves new bike lanes\n\nResidents packed the hall for four hours. Supporters said the lanes would make streets safer for children and…\n\nhttps://news.example.org/2026/bike-lanes #cycling #cityCouncil #urbanPlanning #roadSafety #schools #parking #mobility #climate #transport #localNews',
    warnings: ["Shortened to fit Twitter's 280 characters."],
  },
  {
    name: 'hashtags that cannot all fit',
    item: {
      summary: LONG,
      tags: [
        'a-very-long-hashtag-about-cycling',
        'another-long-hashtag-about-councils',
        'yet-another-long-hashtag-on-planning',
        'road-safety-in-residential-streets',
        'school-crossings-and-speed-limits',
        'parking-and-deliveries-downtown',
        'schools',
      ],
    },
    text: 'Council approves new bike lanes\n\nResidents packed the hall for four hours. Supporters said the lanes would make streets safer…\n\nhttps://news.example.org/2026/bike-lanes #aVeryLongHashtagAboutCycling #anotherLongHashtagAboutCouncils #yetAnotherLongHashtagOnPlanning #roadSafetyInResidentialStreets',
    warnings: [
      "Shortened to fit Twitter's 280 characters.",
      '3 hashtags dropped to fit 280 characters: #schoolCrossingsAndSpeedLimits #parkingAndDeliveriesDowntown #schools.',
    ],
  },
  {
    name: 'emoji',
    item: {
      title: 'Bike lanes approved 🚲🎉',
      summary:
        'Cyclists celebrate 🥳 after a 7-2 vote: 12 km of protected lanes 🛣️, new crossings 🚸 and slower streets 🐢. '
          .repeat(3)
          .trim(),
    },
    text: 'Bike lanes approved 🚲🎉\n\nCyclists celebrate 🥳 after a 7-2 vote: 12 km of protected lanes 🛣️, new crossings 🚸 and slower streets 🐢. Cyclists celebrate 🥳 after a 7-2 vote: 12 km of protected lanes 🛣️, new crossings 🚸 and slower…\n\nhttps://news.example.org/2026/bike-lanes #cycling #cityCouncil',
    warnings: ["Shortened to fit Twitter's 280 characters."],
  },
  {
    name: 'CJK',
    item: {
      title: '市議会、自転車専用レーンを承認',
      summary: CJK,
      tags: ['自転車', '市議会'],
      language: 'ja',
    },
    text: '市議会、自転車専用レーンを承認\n\n市議会は火曜日、保護された自転車専用レーン十二キロの建設と歩道の拡幅を七対二で可決した。反対派は駐車場と配送への影響を懸念している。工事は三月に始まる予定だ。\n\nhttps://news.example.org/2026/bike-lanes #自転車 #市議会',
    warnings: [],
  },
  {
    name: 'CJK shortened',
    item: {
      title: '市議会、自転車専用レーンを承認',
      summary: CJK.repeat(2),
      tags: ['自転車', '市議会'],
      language: 'ja',
    },
    text: '市議会、自転車専用レーンを承認\n\n市議会は火曜日、保護された自転車専用レーン十二キロの建設と歩道の拡幅を七対二で可決した。反対派は駐車場と配送への影響を懸念している。工事は三月に始まる予定だ。市議会は火曜日、保護された自転車専用レーン十二…\n\nhttps://news.example.org/2026/bike-lanes #自転車 #市議会',
    warnings: ["Shortened to fit Twitter's 280 characters."],
  },
  {
    name: 'RTL',
    item: {
      title: 'מועצת העיר אישרה נתיבי אופניים חדשים',
      summary:
        'המועצה הצביעה ביום שלישי ברוב של 7 מול 2 בעד בניית 12 ק"מ של נתיבי אופניים מוגנים והרחבת המדרכות. המתנגדים חששו מפגיעה בחניה ובמשלוחים, והעבודות יתחילו במרץ ויסתיימו עד סוף השנה. '
          .repeat(2)
          .trim(),
      tags: ['אופניים'],
      language: 'he',
    },
    text: 'מועצת העיר אישרה נתיבי אופניים חדשים\n\nהמועצה הצביעה ביום שלישי ברוב של 7 מול 2 בעד בניית 12 ק"מ של נתיבי אופניים מוגנים והרחבת המדרכות. המתנגדים חששו מפגיעה בחניה ובמשלוחים, והעבודות יתחילו במרץ ויסתיימו עד סוף השנה. המועצה הצביעה ביום שלישי…\n\nhttps://news.example.org/2026/bike-lanes #אופניים',
    warnings: ["Shortened to fit Twitter's 280 characters."],
  },
  {
    name: 'quotes, ampersands and <script>',
    item: {
      title: 'Tom & Jerry\'s "Bike" <script>alert(1)</script> lanes',
      summary: 'Council said: "It\'s <b>done</b> & dusted" — R&D > hype < reality.',
      tags: ['web-dev', '2026'],
    },
    text: 'Tom & Jerry\'s "Bike" <script>alert(1)</script> lanes\n\nCouncil said: "It\'s <b>done</b> & dusted" — R&D > hype < reality.\n\nhttps://news.example.org/2026/bike-lanes #webDev',
    warnings: ['Tags that cannot be hashtags were left out: 2026.'],
  },
];

describe('twitter composition table', () => {
  it.each(ROWS)('$name', ({ item, text, warnings }) => {
    const post = twitter.compose(testItem(item), account);
    expect(post.text).toBe(text);
    expect(post.parts).toEqual([text]);
    expect(post.warnings).toEqual(warnings);
    expect(post.length).toBe(tweetLength(text));
    expect(post.length).toBeLessThanOrEqual(280);
    expect(post.limit).toBe(280);
  });

  it('keeps the link in every shortened tweet', () => {
    for (const row of ROWS) {
      const item = testItem(row.item);
      expect(twitter.compose(item, account).text).toContain(item.url);
    }
  });
});

describe('twitter shortening edge cases', () => {
  it('shortens an over-long title when there is no room left for the summary', () => {
    const post = twitter.compose(
      testItem({ title: 'Council '.repeat(40).trim(), summary: 'Never shown.' }),
      account,
    );
    expect(post.text).toMatch(
      /^(Council ){20,}Council…\n\nhttps:\/\/news\.example\.org\/2026\/bike-lanes #cycling #cityCouncil$/,
    );
    expect(post.length).toBeLessThanOrEqual(280);
  });

  it('cuts a single endless word between graphemes', () => {
    const post = twitter.compose(testItem({ title: 'x'.repeat(300), summary: '', tags: [] }), account);
    expect(post.text).toBe(`${'x'.repeat(280 - 2 - 23 - 2)}…\n\nhttps://news.example.org/2026/bike-lanes`);
    expect(post.length).toBe(280);
  });
});

describe('twitter text is plain text', () => {
  it('never escapes & < > " into HTML entities', () => {
    const post = twitter.compose(
      testItem({ title: 'R&D <b>"news"</b>', summary: "Tom & Jerry's <script>alert('x')</script>" }),
      account,
    );
    expect(post.text).toContain('R&D <b>"news"</b>');
    expect(post.text).toContain("Tom & Jerry's <script>alert('x')</script>");
    expect(post.text).not.toMatch(/&amp;|&lt;|&gt;|&quot;|&#x27;|&#39;/);
  });

  it('keeps Handlebars syntax in item text literal', () => {
    const post = twitter.compose(testItem({ title: '{{title}} and {{{summary}}}' }), account);
    expect(post.text.startsWith('{{title}} and {{{summary}}}')).toBe(true);
  });
});

describe('twitter threads', () => {
  const item = testItem({ summary: `${LONG} ${LONG}`, thread: true });

  it('splits a long summary into numbered tweets, link and hashtags in the first', () => {
    const post = twitter.compose(item, account);
    expect(post.parts).toEqual([
      '1/3 Council approves new bike lanes\n\nResidents packed the hall for four hours. Supporters said the lanes would make streets safer for children and older people, while opponents worried about parking and deliveries.\n\nhttps://news.example.org/2026/bike-lanes #cycling #cityCouncil',
      '2/3 The plan includes new crossings near three schools, a 30 km/h limit on residential streets and a review after one year. Residents packed the hall for four hours. Supporters said the lanes would make streets safer for children and older people, while opponents worried about',
      '3/3 parking and deliveries. The plan includes new crossings near three schools, a 30 km/h limit on residential streets and a review after one year.',
    ]);
    expect(post.text).toBe(post.parts[0]);
    expect(post.length).toBe(Math.max(...post.parts.map(tweetLength)));
    expect(post.warnings).toEqual([]);
  });

  it('loses no word of the summary', () => {
    const post = twitter.compose(item, account);
    const words = post.parts
      .map((p, i) =>
        p.replace(/^\d+\/\d+ /, '').replace(i === 0 ? /^Council approves new bike lanes\n\n/ : /^/, ''),
      )
      .map((p) => p.replace(/\n\nhttps:\/\/\S+ #cycling #cityCouncil$/, ''))
      .join(' ');
    expect(words).toBe(`${LONG} ${LONG}`);
  });

  it('numbers correctly past nine parts and keeps each part within 280', () => {
    const post = twitter.compose(
      testItem({ thread: true, channelTexts: { twitter: `${LONG} `.repeat(10).trim() } }),
      account,
    );
    expect(post.parts.length).toBeGreaterThan(9);
    post.parts.forEach((part, i) => {
      expect(part.startsWith(`${i + 1}/${post.parts.length} `)).toBe(true);
      expect(tweetLength(part)).toBeLessThanOrEqual(280);
    });
  });

  it('splits CJK text between words', () => {
    const post = twitter.compose(
      testItem({
        title: '市議会、自転車専用レーンを承認',
        summary: CJK.repeat(3),
        tags: ['自転車'],
        language: 'ja',
        thread: true,
      }),
      account,
    );
    expect(post.parts.length).toBeGreaterThan(1);
    for (const part of post.parts) expect(tweetLength(part)).toBeLessThanOrEqual(280);
    expect(post.parts.map((p) => p.replace(/^\d+\/\d+ /, '')).join('')).toContain(CJK.slice(0, 20));
  });

  it('stays a single tweet when the text fits', () => {
    const post = twitter.compose(testItem({ thread: true }), account);
    expect(post.parts).toHaveLength(1);
    expect(post.text.startsWith('1/')).toBe(false);
  });
});

describe('twitter overrides', () => {
  it('uses the text staff wrote for the account, then for the platform', () => {
    const item = testItem({
      channelTexts: { twitter: 'For every Twitter account', 'twitter-main': 'Only for the main account' },
    });
    expect(twitter.compose(item, account).text).toBe('Only for the main account');
    expect(twitter.compose(item, { id: 'twitter-other' }).text).toBe('For every Twitter account');
    expect(twitter.compose(item, account, { override: 'From the preview' }).text).toBe('From the preview');
  });

  it('leaves a too-long override untouched but says so', () => {
    const text = `${'word '.repeat(65)}https://news.example.org/2026/bike-lanes`;
    const post = twitter.compose(testItem({ channelTexts: { twitter: text } }), account);
    expect(post.length).toBe(348);
    expect(post.warnings).toEqual([
      'Too long: 348 of 280 characters as Twitter counts them. Shorten the Twitter text or post it as a thread.',
    ]);
  });

  it('threads a too-long override when the item asks for a thread', () => {
    const text = `https://news.example.org/2026/bike-lanes ${'word '.repeat(65).trim()}`;
    const post = twitter.compose(testItem({ thread: true, channelTexts: { twitter: text } }), account);
    expect(post.parts.map((p) => p.slice(0, 4))).toEqual(['1/2 ', '2/2 ']);
    expect(post.warnings).toEqual([]);
    expect(post.linkMissing).toBeUndefined();
  });

  it('says when a hand-written text leaves out the link, which only the text can carry', () => {
    const post = twitter.compose(testItem({ channelTexts: { twitter: 'Read our news' } }), account);
    expect(post.text).toBe('Read our news');
    expect(post.linkMissing).toBe(true);
    expect(post.warnings).toEqual([
      'The Twitter text has no link to the article, so followers will not find it: add the link, or leave the text empty to use the composed one.',
    ]);
    expect(twitter.compose(testItem(), account).linkMissing).toBeUndefined();
  });
});

describe('twitter images and hashtags', () => {
  it('warns when the image has no alt text', () => {
    const post = twitter.compose(
      testItem({ imageUrl: 'https://news.example.org/bike.jpg', imageAlt: null }),
      account,
    );
    expect(post.image).toEqual({ url: 'https://news.example.org/bike.jpg', alt: '' });
    expect(post.warnings).toContain('The image has no alt text: describe it for people who cannot see it.');
  });

  it('makes hashtags from tags: hyphens become camel case, duplicates go', () => {
    const post = twitter.compose(testItem({ tags: ['city-council', 'City-Council', 'cycling_uk'] }), account);
    expect(post.text.endsWith('#cityCouncil #cycling_uk')).toBe(true);
  });
});
