import type { ComposedPost, Composer } from '../adapter.js';
import { overrideFor } from '../adapter.js';
import { hashtagsFor, plainLine, plainParagraphs, tidyRendered } from '../text.js';
import { imageOf } from '../image.js';
import { socialTemplate } from '../templates.js';

/** Facebook's documented maximum length of a post's text. */
export const FACEBOOK_LIMIT = 63_206;

export const facebookComposer: Composer = {
  platform: 'facebook',
  compose(item, account, options): ComposedPost {
    const override = options?.override ?? overrideFor(item, { id: account.id, platform: 'facebook' });
    const hashtags = hashtagsFor(item.tags);
    const image = imageOf(item);
    // A photo post cannot carry a link preview, so the link is written in its text.
    const urlInText = image.image !== null;
    const text =
      override !== undefined
        ? plainParagraphs(override)
        : tidyRendered(
            socialTemplate('facebook')({
              title: plainLine(item.title),
              summary: plainParagraphs(item.summary),
              url: item.url,
              hashtags: hashtags.tags.join(' '),
              urlInText,
            }),
          );
    const length = [...text].length;
    const warnings = [...image.warnings];
    if (hashtags.skipped.length > 0)
      warnings.push(`Tags that cannot be hashtags were left out: ${hashtags.skipped.join(', ')}.`);
    const linkMissing = override !== undefined && urlInText && !text.includes(item.url);
    if (linkMissing) {
      warnings.push(
        'The post is a photo, which cannot show a link preview, and the Facebook text has no link to the item.',
      );
    }
    if (length > FACEBOOK_LIMIT)
      warnings.push(`Too long: ${length} of ${FACEBOOK_LIMIT} characters Facebook allows.`);
    return {
      platform: 'facebook',
      accountId: account.id,
      text,
      parts: [text],
      link: item.url,
      image: image.image,
      length,
      limit: FACEBOOK_LIMIT,
      warnings,
      ...(linkMissing ? { linkMissing } : {}),
    };
  },
};
