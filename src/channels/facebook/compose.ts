import type { ComposedPost, Composer } from '../adapter.js';
import { overrideFor } from '../adapter.js';
import { plainLine, plainParagraphs, tidyRendered } from '../text.js';
import { composedPost, imageAndHashtags } from '../compose-steps.js';
import { socialTemplate } from '../templates.js';

/** Facebook's documented maximum length of a post's text. */
export const FACEBOOK_LIMIT = 63_206;

export const facebookComposer: Composer = {
  platform: 'facebook',
  compose(item, account, options): ComposedPost {
    const override = options?.override ?? overrideFor(item, { id: account.id, platform: 'facebook' });
    const { image, hashtags, warnings: itemWarnings } = imageAndHashtags(item);
    // A photo post cannot carry a link preview, so the link is written in its text.
    const urlInText = image !== null;
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
    const warnings = [...itemWarnings];
    const linkMissing = override !== undefined && urlInText && !text.includes(item.url);
    if (linkMissing) {
      warnings.push(
        'The post is a photo, which cannot show a link preview, and the Facebook text has no link to the item.',
      );
    }
    if (length > FACEBOOK_LIMIT)
      warnings.push(`Too long: ${length} of ${FACEBOOK_LIMIT} characters Facebook allows.`);
    return composedPost('facebook', account.id, item, {
      parts: [text],
      image,
      length,
      limit: FACEBOOK_LIMIT,
      warnings,
      linkMissing,
    });
  },
};
