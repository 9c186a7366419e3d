import type { ComposedPost } from './adapter.js';
import type { NewsItem } from '../domain/item.js';
import { plainLine } from './text.js';

/** The item's image for a post, with a warning when it has no alt text. */
export function imageOf(item: Pick<NewsItem, 'imageUrl' | 'imageAlt' | 'imageFile'>): {
  image: ComposedPost['image'];
  warnings: string[];
} {
  if (!item.imageUrl) return { image: null, warnings: [] };
  const alt = plainLine(item.imageAlt ?? '');
  const warnings = alt ? [] : ['The image has no alt text: describe it for people who cannot see it.'];
  return {
    image: { url: item.imageUrl, alt, ...(item.imageFile ? { file: item.imageFile } : {}) },
    warnings,
  };
}
