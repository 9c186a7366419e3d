import type { AccountConfig, PlatformId } from '../domain/platform.js';
import { PLATFORM_IDS } from '../domain/platform.js';
import type { Composer, PlatformRow } from './adapter.js';
import { blueskyPlatform } from './bluesky/platform.js';
import { facebookPlatform } from './facebook/platform.js';
import { linkedinPlatform } from './linkedin/platform.js';
import { mastodonPlatform } from './mastodon/platform.js';
import { twitterPlatform } from './twitter/platform.js';

/**
 * The platform table: one row per platform (its folder's platform.ts). Adding a platform is its folder,
 * one line here and its id in src/domain/platform.ts (see DEVELOPERS.md).
 */
export const PLATFORMS: Readonly<Record<PlatformId, PlatformRow>> = {
  twitter: twitterPlatform,
  facebook: facebookPlatform,
  mastodon: mastodonPlatform,
  bluesky: blueskyPlatform,
  linkedin: linkedinPlatform,
};

/** The rows in the order of PLATFORM_IDS. */
export function platformRows(): PlatformRow[] {
  return PLATFORM_IDS.map((id) => PLATFORMS[id]);
}

/** A platform's name as people know it; a stored value this version does not know stays as it is. */
export function platformName(platform: string): string {
  return platform in PLATFORMS ? PLATFORMS[platform as PlatformId].displayName : platform;
}

/** The composer for a platform (pure: the preview route and the adapters use the same one). */
export function composerFor(platform: PlatformId): Composer {
  return PLATFORMS[platform].composer;
}

/** Without configured accounts, one dry-run account per platform, named like it, shows the whole flow. */
export const DEFAULT_ACCOUNTS: AccountConfig[] = PLATFORM_IDS.map((id) => ({ id, platform: id }));
