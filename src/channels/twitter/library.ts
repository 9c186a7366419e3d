import type * as TwitterApiV2 from 'twitter-api-v2';
import { lazyRequire } from '../../lazy-module.js';

/** twitter-api-v2 when a live Twitter account first needs it: dry-run installs never load it. */
export const twitterApi = lazyRequire<typeof TwitterApiV2>('twitter-api-v2');
