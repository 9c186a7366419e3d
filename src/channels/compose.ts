import type { Composer, Platform } from './adapter.js';
import { facebookComposer } from './facebook/compose.js';
import { twitterComposer } from './twitter/compose.js';

const COMPOSERS: Record<Platform, Composer> = { twitter: twitterComposer, facebook: facebookComposer };

/** The composer for a platform (pure: the preview route and the adapters use the same one). */
export function composerFor(platform: Platform): Composer {
  return COMPOSERS[platform];
}
