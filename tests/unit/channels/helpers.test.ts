import { describe, expect, it } from 'vitest';
import { cutPoints, ellipsize, hashtagsFor } from '../../../src/channels/text.js';
import { facebookCredentialsFrom } from '../../../src/channels/facebook/credentials.js';
import { twitterCredentialsFrom } from '../../../src/channels/twitter/credentials.js';
import { facebookRetryAt } from '../../../src/channels/facebook/errors.js';
import { comparableUrl, postedSince } from '../../../src/channels/match.js';
import { redact } from '../../../src/channels/redact.js';
import { plainUtcTime } from '../../../src/domain/plain-time.js';
import { tweetTextAsWritten } from '../../../src/channels/twitter/adapter.js';

describe('cutting text', () => {
  it('cuts Latin text only before spaces, never inside a URL', () => {
    const text = 'Read https://example.org/a b now';
    expect(cutPoints(text).map((p) => text.slice(0, p))).toEqual([
      'Read',
      'Read https://example.org/a',
      'Read https://example.org/a b',
      text,
    ]);
  });

  it('cuts CJK text between words', () => {
    const points = cutPoints('東京都は今日発表した', 'ja');
    expect(points.length).toBeGreaterThan(3);
  });

  it('ends a cut with an ellipsis, dropping dangling punctuation', () => {
    expect(ellipsize('Hello, world', 6)).toBe('Hello…');
    expect(ellipsize('Hello', 5)).toBe('Hello');
  });

  it('turns tags into hashtags and skips tags that cannot be hashtags', () => {
    expect(hashtagsFor(['local-news', '2026', 'Ünïcode', 'local-News'])).toEqual({
      tags: ['#localNews', '#Ünïcode'],
      skipped: ['2026'],
    });
  });

  it('makes one hashtag of the words of one tag', () => {
    expect(hashtagsFor(['Roma inclusion', 'smart cities-network', 'roma Inclusion']).tags).toEqual([
      '#RomaInclusion',
      '#smartCitiesNetwork',
    ]);
  });
});

describe('credentials', () => {
  it('reads OAuth 1.0a and OAuth 2 keys, naming what is missing without values', () => {
    expect(
      twitterCredentialsFrom({ appKey: 'a', appSecret: 'b', accessToken: 'c', accessSecret: 'd' }).kind,
    ).toBe('oauth1');
    expect(twitterCredentialsFrom({ clientId: 'id', refreshToken: 'r' })).toEqual({
      kind: 'oauth2',
      clientId: 'id',
      refreshToken: 'r',
    });
    expect(() => twitterCredentialsFrom({ appKey: 'super-secret-value' })).toThrow(/appSecret is missing/);
    expect(() => twitterCredentialsFrom({ appKey: 'super-secret-value' })).not.toThrow(/super-secret-value/);
    expect(() => facebookCredentialsFrom({ pageId: 'my-page', pageToken: 'EAAsecret' })).toThrow(
      /pageId is invalid/,
    );
  });
});

describe('Facebook rate-limit time', () => {
  const now = new Date('2026-11-27T14:00:00Z');
  const none = { businessUseCase: null, app: null, page: null };

  it('uses estimated_time_to_regain_access (minutes) from X-Business-Use-Case-Usage', () => {
    const usage = {
      ...none,
      businessUseCase: JSON.stringify({
        '123': [{ type: 'pages', call_count: 100, estimated_time_to_regain_access: 5 }],
      }),
    };
    expect(facebookRetryAt(usage, now).toISOString()).toBe('2026-11-27T14:05:00.000Z');
  });

  it('waits half an hour when app or Page usage is at 100 %, ten minutes otherwise', () => {
    expect(
      facebookRetryAt(
        { ...none, app: '{"call_count":100,"total_cputime":3,"total_time":4}' },
        now,
      ).toISOString(),
    ).toBe('2026-11-27T14:30:00.000Z');
    expect(facebookRetryAt({ ...none, page: 'not json' }, now).toISOString()).toBe(
      '2026-11-27T14:10:00.000Z',
    );
  });
});

describe('small helpers', () => {
  it('says times in UTC, with the day when not today', () => {
    const now = new Date('2026-11-27T14:00:00Z');
    expect(plainUtcTime(new Date('2026-11-27T14:05:30Z'), now)).toBe('14:05 UTC');
    expect(plainUtcTime(new Date('2026-11-28T00:15:00Z'), now)).toBe('00:15 UTC on 28 November');
  });

  it('redacts secrets and token parameters', () => {
    expect(redact('GET /me?access_token=EAAxyz&fields=id failed for EAAxyz123', ['EAAxyz123'])).toBe(
      'GET /me?access_token=[redacted]&fields=id failed for [redacted]',
    );
  });

  it('compares URLs loosely', () => {
    expect(comparableUrl('https://Example.org/a/#top')).toBe(comparableUrl('https://example.org/a'));
  });

  it('looks for posts from a little before the delivery was created', () => {
    expect(postedSince('2026-11-27T14:00:00.000Z', new Date()).toISOString()).toBe(
      '2026-11-27T13:50:00.000Z',
    );
  });

  it('reads a tweet as written: t.co expanded, media link dropped, entities decoded', () => {
    const tweet = {
      text: 'R&amp;D &lt;news&gt; https://t.co/abc https://t.co/pic',
      entities: {
        urls: [
          {
            start: 0,
            end: 0,
            url: 'https://t.co/abc',
            expanded_url: 'https://example.org/a',
            display_url: 'example.org/a',
          },
          {
            start: 0,
            end: 0,
            url: 'https://t.co/pic',
            expanded_url: 'https://x.com/u/status/1/photo/1',
            display_url: 'pic.x.com/x',
            media_key: '3_1',
          },
        ],
      },
    };
    expect(tweetTextAsWritten(tweet as never)).toBe('R&D <news> https://example.org/a');
  });
});
