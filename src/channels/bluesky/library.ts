import type * as AtprotoApi from '@atproto/api';
import { lazyRequire } from '../../lazy-module.js';

/** @atproto/api (~400 files) when Bluesky is first composed for or posted to, not at start. */
export const atproto = lazyRequire<typeof AtprotoApi>('@atproto/api');
