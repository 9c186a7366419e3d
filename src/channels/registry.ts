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

type RegistryDeps = {
  db: Kysely<Database>;
  publicUrl: string;
  dryRunLatencyMs?: number;
  liveFactories?: Partial<Record<PlatformId, LiveChannelFactory>>;
};

export class ChannelRegistry {
  private readonly entries = new Map<string, ConfiguredAccount>();
  /** Accounts connected from the Channels page: id -> their settings as built (to rebuild only on change). */
  private readonly connected = new Map<string, string>();

  constructor(
    accounts: AccountConfig[],
    private readonly deps: RegistryDeps,
  ) {
    for (const config of accounts) this.entries.set(config.id, this.build(config));
  }

  private build(config: AccountConfig): ConfiguredAccount {
    const deps = this.deps;
    const factory = deps.liveFactories?.[config.platform];
    const live = factory && hasCredentials(config) && !config.dryRun;
    const channel = live
      ? factory(config, deps)
      : new DryRunChannel(PLATFORMS[config.platform].composer, deps.db, deps.publicUrl, deps.dryRunLatencyMs);
    const account: ChannelAccount = {
      id: config.id,
      platform: config.platform,
      name: config.name ?? PLATFORMS[config.platform].displayName,
      mode: live ? 'live' : 'dry-run',
      state: 'ok',
      stateReason: null,
      ...(config.language ? { language: config.language } : {}),
    };
    return { account, channel };
  }

  /**
   * Makes the connected accounts those given: new ones are added, changed ones (new tokens) rebuilt, gone
   * ones removed. An id taken by a configured account stays the configured one.
   */
  replaceConnected(accounts: AccountConfig[]): void {
    const seen = new Set<string>();
    for (const config of accounts) {
      if (this.entries.has(config.id) && !this.connected.has(config.id)) continue;
      seen.add(config.id);
      const settings = JSON.stringify(config);
      if (this.connected.get(config.id) === settings) continue;
      this.entries.set(config.id, this.build(config));
      this.connected.set(config.id, settings);
    }
    for (const id of [...this.connected.keys()])
      if (!seen.has(id)) {
        this.connected.delete(id);
        this.entries.delete(id);
      }
  }

  /** Whether the account was connected from the Channels page (not configured). */
  isConnected(accountId: string): boolean {
    return this.connected.has(accountId);
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
