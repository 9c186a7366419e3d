import type { Kysely } from 'kysely';
import type { AccountConfig, ChannelAccount, PlatformId } from '../domain/platform.js';
import type { Database } from '../store/schema.js';
import type { Channel } from './adapter.js';
import { DryRunChannel } from './dry-run/adapter.js';
import { PLATFORMS } from './platforms.js';

export interface ConfiguredAccount {
  account: ChannelAccount;
  channel: Channel;
}

/** Builds a live adapter for an account that has credentials; registered per platform. */
export type LiveChannelFactory = (config: AccountConfig, deps: { db: Kysely<Database> }) => Channel;

function hasCredentials(config: AccountConfig): boolean {
  return Object.values(config.credentials ?? {}).some((v) => v.trim().length > 0);
}

export class ChannelRegistry {
  private readonly entries = new Map<string, ConfiguredAccount>();

  constructor(
    accounts: AccountConfig[],
    deps: {
      db: Kysely<Database>;
      publicUrl: string;
      dryRunLatencyMs?: number;
      liveFactories?: Partial<Record<PlatformId, LiveChannelFactory>>;
    },
  ) {
    for (const config of accounts) {
      const factory = deps.liveFactories?.[config.platform];
      const live = factory && hasCredentials(config) && !config.dryRun;
      const channel = live
        ? factory(config, deps)
        : new DryRunChannel(
            PLATFORMS[config.platform].composer,
            deps.db,
            deps.publicUrl,
            deps.dryRunLatencyMs,
          );
      const account: ChannelAccount = {
        id: config.id,
        platform: config.platform,
        name: config.name ?? PLATFORMS[config.platform].displayName,
        mode: live ? 'live' : 'dry-run',
        state: 'ok',
        stateReason: null,
        ...(config.language ? { language: config.language } : {}),
      };
      this.entries.set(config.id, { account, channel });
    }
  }

  accounts(): ChannelAccount[] {
    return [...this.entries.values()].map((e) => e.account);
  }

  get(accountId: string): ConfiguredAccount | undefined {
    return this.entries.get(accountId);
  }

  has(accountId: string): boolean {
    return this.entries.has(accountId);
  }
}
