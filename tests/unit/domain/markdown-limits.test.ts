import { describe, expect, it } from 'vitest';
import { MARKDOWN_LIMITS, markdownProblem } from '../../../src/domain/markdown-limits.js';
import { renderMarkdown } from '../../../src/domain/markdown.js';

const article = [
  '## Highlights',
  '',
  'Mayors signed the **declaration** in _Lyon_; see [the text](https://example.org/text) & the ~~draft~~ `v2`.',
  '',
  '> A quote, and',
  '> > a quote in a quote.',
  '',
  '- one',
  '  - nested',
  '    - deeper',
  '',
  '| a | b |',
  '|---|---|',
  '| 1 | 2 |',
  '',
  '***',
].join('\n');

describe('Markdown bounds before parsing', () => {
  it('lets an ordinary article through, even a long one', () => {
    expect(markdownProblem(article)).toBeNull();
    expect(markdownProblem(Array.from({ length: 60 }, () => article).join('\n\n'))).toBeNull();
  });

  it.each([
    [
      'a long run of *',
      `${'*'.repeat(MARKDOWN_LIMITS.delimiterRun + 1)}a`,
      /"\*" more than 32 times in a row/,
    ],
    ['a long run of _', `a${'_'.repeat(40)}`, /"_" more than 32 times/],
    ['too many *', '*a'.repeat(MARKDOWN_LIMITS.emphasisMarks + 1), /at most 1000 "\*"/],
    ['too many [', '[a'.repeat(MARKDOWN_LIMITS.brackets + 1), /at most 2000 "\["/],
    ['too many &', '&#'.repeat(MARKDOWN_LIMITS.brackets + 1), /at most 2000 "&"/],
    ['deep block quotes', `${'>'.repeat(17)} x`, /block quotes more than 16 deep/],
    ['deep block quotes with spaces', `${'> '.repeat(17)}x`, /block quotes/],
    ['deep indentation', `${' '.repeat(33)}- x`, /indent a line more than 32 columns/],
    ['too many lines', 'a\n'.repeat(MARKDOWN_LIMITS.lines), /at most 5000 lines/],
  ])('refuses %s', (_name, text, reason) => {
    expect(markdownProblem(text)).toMatch(reason);
  });

  it('turns a parser that gives up into bad input, not a crash', () => {
    expect(() => renderMarkdown('>'.repeat(100_000))).toThrow(/too deeply nested/);
  });
});
