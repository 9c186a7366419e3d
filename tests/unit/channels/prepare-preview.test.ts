import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/channels/adapter.js';
import { prepareForPreview } from '../../../src/channels/prepare.js';
import type { ChannelRegistry } from '../../../src/channels/registry.js';
import { testAccount } from '../../helpers/channel-fixtures.js';

const channelWith = (prepare?: Channel['prepare']) => ({ prepare }) as unknown as Channel;

describe('reading the platforms before a preview', () => {
  it('says which accounts are counted with the defaults: a refusal, or no answer in time', async () => {
    const read: string[] = [];
    const channels = new Map<string, Channel>([
      ['md-ok', channelWith(async (a) => void read.push(a.id))],
      ['md-down', channelWith(() => Promise.reject(new Error('HTTP 503')))],
      ['md-slow', channelWith(() => new Promise(() => undefined))],
      ['tw-main', channelWith()],
    ]);
    const registry = { get: (id: string) => ({ channel: channels.get(id)! }) } as unknown as ChannelRegistry;
    const accounts = [
      testAccount('mastodon', 'md-ok'),
      testAccount('mastodon', 'md-down'),
      testAccount('mastodon', 'md-slow'),
      testAccount('twitter', 'tw-main'),
    ];
    const warnings = await prepareForPreview(registry, accounts, 50);
    expect(read).toEqual(['md-ok']);
    expect([...warnings.keys()]).toEqual(['md-down', 'md-slow']);
    expect(warnings.get('md-down')).toBe(
      'Could not read the limits of md-down on Mastodon (HTTP 503): counted with the defaults.',
    );
    expect(warnings.get('md-slow')).toContain('(no answer within 0.05 s)');
  });
});
