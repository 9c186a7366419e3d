import path from 'node:path';
import type { HeraldConfig } from '../config/schema.js';
import type { FeedMeta } from './build.js';
import { feedUrls } from './variants.js';
import type { FeedVariant } from './variants.js';

/** Bump when the feed output changes shape, so that an upgrade rebuilds feeds that are otherwise current. */
const FORMAT_VERSION = 1;

type FeedSettings = Pick<HeraldConfig, 'feed' | 'organisationName' | 'siteUrl' | 'publicUrl' | 'dataDir'>;

/** Where the feed files live: `<dataDir>/feeds/` (layout in variants.ts). */
export function feedsDirectory(config: Pick<HeraldConfig, 'dataDir'>): string {
  return path.join(config.dataDir, 'feeds');
}

/** Title, links and language of each variant, from the configuration. */
export function feedMetaFor(config: FeedSettings, variant: FeedVariant): FeedMeta {
  const title = config.feed.title ?? config.organisationName;
  const base: FeedMeta = {
    title,
    description: config.feed.description,
    siteUrl: config.siteUrl,
    feedUrls: feedUrls(config.publicUrl, variant),
    language: config.feed.language,
    author: { name: config.organisationName, url: config.siteUrl },
    hubUrl: config.feed.hubUrl,
    limit: config.feed.limit,
  };
  switch (variant.kind) {
    case 'all':
      return base;
    case 'language':
      return { ...base, title: `${title} (${variant.language})`, language: variant.language };
    case 'tag':
      return { ...base, title: `${title}: #${variant.tag}` };
  }
}

/** Everything in the configuration that changes the feeds' bytes (part of the fingerprint). */
export function feedSettingsSignature(config: FeedSettings): string {
  const { title, description, language, limit, hubUrl } = config.feed;
  return JSON.stringify({
    v: FORMAT_VERSION,
    title,
    description,
    language,
    limit,
    hubUrl,
    org: config.organisationName,
    site: config.siteUrl,
    pub: config.publicUrl,
  });
}
