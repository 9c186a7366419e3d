/**
 * The platforms Herald posts to. Each id has one row in the platform table (src/channels/platforms.ts),
 * which holds everything else about it; the id list lives here so that the domain and the store can name
 * a platform without depending on the adapters.
 */
export const PLATFORM_IDS = ['twitter', 'facebook', 'mastodon', 'bluesky', 'linkedin'] as const;
export type PlatformId = (typeof PLATFORM_IDS)[number];

export type AccountMode = 'dry-run' | 'live';
/** `needs_credits`: X answered 402 (the app's prepaid credits ran out); its deliveries are held (see account-hold). */
export type AccountState = 'ok' | 'needs_reconnect' | 'needs_credits';

/** A social account Herald posts to (secrets are never part of this object). */
export interface ChannelAccount {
  id: string;
  platform: PlatformId;
  name: string;
  mode: AccountMode;
  state: AccountState;
  stateReason: string | null;
  /** The account's language (BCP 47): items with a translation in it post the translation there. */
  language?: string | undefined;
}

/** One social account as configured (file, environment, secrets file), before any adapter exists. */
export interface AccountConfig {
  id: string;
  platform: PlatformId;
  name?: string | undefined;
  /** Force dry-run even with credentials (e.g. on a staging copy). */
  dryRun?: boolean | undefined;
  credentials?: Record<string, string> | undefined;
  /** Platform API address (tests and proxies). */
  apiUrl?: string | undefined;
  /** The account's language (BCP 47), e.g. a French Mastodon account: see ChannelAccount.language. */
  language?: string | undefined;
}
