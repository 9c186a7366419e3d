import type { Composer, Platform } from './channel.js';
import { facebookComposer } from './compose-facebook.js';
import { twitterComposer } from './compose-twitter.js';

const COMPOSERS: Record<Platform, Composer> = { twitter: twitterComposer, facebook: facebookComposer };

/** The composer for a platform (pure: the preview route and the adapters use the same one). */
export function composerFor(platform: Platform): Composer {
  return COMPOSERS[platform];
}
