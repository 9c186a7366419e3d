import type { AccountConfig, HeraldConfig } from './schema.js';
import { DEFAULT_ACCOUNTS } from '../channels/registry.js';

/**
 * The channel accounts: those in the configuration file, or else one per platform, which stays in
 * dry-run until its credentials are set.
 */
export function accountsFromConfig(config: HeraldConfig): AccountConfig[] {
  return config.channels.accounts?.length ? config.channels.accounts : DEFAULT_ACCOUNTS;
}
