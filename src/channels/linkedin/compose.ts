import type { ComposedPost, Composer } from '../adapter.js';
import { overrideFor } from '../adapter.js';
import { plainLine, plainParagraphs, tidyRendered } from '../text.js';
import { composedPost, imageAndHashtags } from '../compose-steps.js';
import { socialTemplate } from '../templates.js';
import { escapeLittle } from './little.js';

/** The Posts API's maximum length of `commentary`. */
export const LINKEDIN_LIMIT = 3_000;

export const linkedinComposer: Composer = {
  platform: 'linkedin',
  compose(item, account, options): ComposedPost {
    const override = options?.override ?? overrideFor(item, { id: account.id, platform: 'linkedin' });
    const { image, hashtags, warnings: itemWarnings } = imageAndHashtags(item);
    const text =
      override !== undefined
        ? plainParagraphs(override)
        : tidyRendered(
            socialTemplate('linkedin')({
              title: plainLine(item.title),
              summary: plainParagraphs(item.summary),
              url: item.url,
              hashtags: hashtags.tags.join(' '),
            }),
          );
    // Counted as sent: every reserved character takes its escaping backslash too.
    const length = [...escapeLittle(text)].length;
    const warnings = [...itemWarnings];
    if (length > LINKEDIN_LIMIT)
      warnings.push(
        `Too long: ${length} of ${LINKEDIN_LIMIT} characters LinkedIn allows (characters such as ( ) [ ] _ count twice: LinkedIn needs a backslash before each).`,
      );
    return composedPost('linkedin', account.id, item, {
      parts: [text],
      image,
      length,
      limit: LINKEDIN_LIMIT,
      warnings,
    });
  },
};
