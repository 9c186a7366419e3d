import { describe, expect, it } from 'vitest';
import { FacebookChannel } from '../../../src/channels/facebook/adapter.js';
import { liveChannelFactories } from '../../../src/channels/live.js';
import { TwitterChannel } from '../../../src/channels/twitter/adapter.js';

const deps = { db: {} as never };

describe('live channel factories', () => {
  it('builds the adapters from account configuration', () => {
    const factories = liveChannelFactories();
    const twitter = factories.twitter(
      {
        id: 'tw',
        platform: 'twitter',
        credentials: { appKey: 'k', appSecret: 's', accessToken: 't', accessSecret: 'u' },
      },
      deps,
    );
    const facebook = factories.facebook(
      { id: 'fb', platform: 'facebook', credentials: { pageId: '123', pageToken: 'EAA' } },
      deps,
    );
    expect(twitter).toBeInstanceOf(TwitterChannel);
    expect(facebook).toBeInstanceOf(FacebookChannel);
  });

  it('refuses OAuth 2 without a secret key, and incomplete credentials, naming keys only', () => {
    const factories = liveChannelFactories();
    expect(() =>
      factories.twitter(
        { id: 'tw', platform: 'twitter', credentials: { clientId: 'c', refreshToken: 'r' } },
        deps,
      ),
    ).toThrow(/HERALD_SECRET_KEY/);
    expect(() =>
      factories.facebook({ id: 'fb', platform: 'facebook', credentials: { pageId: '123' } }, deps),
    ).toThrow('Facebook Page credentials: pageToken is missing');
    const withKey = liveChannelFactories({ secretKey: 'a long enough secret key' });
    expect(
      withKey.twitter(
        { id: 'tw', platform: 'twitter', credentials: { clientId: 'c', refreshToken: 'r' } },
        deps,
      ),
    ).toBeInstanceOf(TwitterChannel);
  });
});
