import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError, type FieldErrors } from '../../../../src/domain/errors.js';
import { validateItemFields } from '../../../../src/domain/item.js';
import { parsePublishTime } from '../../../../src/domain/schedule.js';
import { plainProblems, problemTable } from '../../../../src/http/pages/field-problems.js';
import { scheduledAt } from '../../../../src/http/pages/schedule-choice.js';
import { StaticAssets } from '../../../../src/http/pages/static-assets.js';
import { pagesTemplateDir, Views } from '../../../../src/http/pages/views.js';

const dir = pagesTemplateDir();
const views = new Views(dir, 'en', new StaticAssets(path.join(dir, 'static')));
const channelLabel = (key: string) => (key === 'twitter' ? 'Twitter/X' : key);

/** The problems the domain itself gives for an input (so a change of its wording shows up here). */
function problemsOf(run: () => unknown): FieldErrors {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  throw new Error('no problem found');
}

describe('field problems in plain words', () => {
  it("turns the item rules' problems into sentences with the field's label", () => {
    const fields = problemsOf(() =>
      validateItemFields({
        title: ' ',
        url: 'not a url',
        imageUrl: 'https://example.org/a.jpg',
        language: 'english!',
      }),
    );
    expect(plainProblems(views, fields, channelLabel)).toEqual({
      title: 'Title is required.',
      url: 'Address of the article must be a full web address starting with https:// or http://.',
      imageAlt: 'Alt text is required when there is an image.',
      language: 'Language must be a language code such as en, fr or fr-BE.',
    });
    const noImage = problemsOf(() =>
      validateItemFields({ title: 'T', url: 'https://example.org/a', imageAlt: 'A cat' }),
    );
    expect(plainProblems(views, noImage, channelLabel).imageAlt).toBe(
      'Alt text needs an image: add the image or empty the alt text.',
    );
  });

  it('words the schedule problems, other problems as "<label> <problem>.", and leaves notes alone', () => {
    const repeated = problemsOf(() => parsePublishTime('2027-10-31T02:30', 'Europe/Brussels', 'publishAt'));
    const skipped = problemsOf(() => parsePublishTime('2027-03-28T02:30', 'Europe/Brussels', 'publishAt'));
    const zone = problemsOf(() => parsePublishTime('2027-03-28T10:30', 'Mars/Olympus', 'publishAt'));
    expect(
      plainProblems(
        views,
        {
          ...repeated,
          ...zone,
          'text.twitter': 'must be at most 280 characters',
          'tr.0.title': 'is required',
          tags: 'tag 2: must not be empty',
          _saved: 'Saved, not scheduled.',
        },
        channelLabel,
      ),
    ).toEqual({
      publishAt:
        'Date and time: this time happens twice that night, because the clocks go back. Choose the first or the second.',
      timezone: 'Time zone must be a zone name such as Europe/Brussels or America/New_York.',
      'text.twitter': 'Twitter/X must be at most 280 characters.',
      'tr.0.title': 'Translated title is required.',
      tags: 'Tag 2 must not be empty.',
      _saved: 'Saved, not scheduled.',
    });
    expect(plainProblems(views, skipped, channelLabel).publishAt).toContain('does not exist that night');
  });

  it('gives editor.js the same table, with the label left to fill in', () => {
    const table = JSON.parse(problemTable(views)) as { known: [string, string][]; other: string };
    const required = table.known.find(([pattern]) => new RegExp(pattern).test('is required'));
    expect(required?.[1]).toBe('{label} is required.');
    expect(table.other).toBe('{label} {problem}.');
  });
});

describe('the schedule form in the repeated hour', () => {
  it("sends the picked instant only when it is one of the date field's two; else the date as typed", () => {
    const form = { publishAt: '2027-10-31T02:30', timezone: 'Europe/Brussels' };
    expect(scheduledAt(form)).toBe('2027-10-31T02:30');
    expect(scheduledAt({ ...form, publishAtInstant: '2027-10-31T02:30+01:00' })).toBe(
      '2027-10-31T02:30+01:00',
    );
    expect(scheduledAt({ ...form, publishAtInstant: '2027-10-31T02:30+02:00' })).toBe(
      '2027-10-31T02:30+02:00',
    );
    // A choice left from an earlier date does not override a new one.
    expect(
      scheduledAt({ ...form, publishAt: '2027-11-02T09:00', publishAtInstant: '2027-10-31T02:30+01:00' }),
    ).toBe('2027-11-02T09:00');
    expect(scheduledAt({ ...form, publishAtInstant: '2027-10-31T02:30+05:00' })).toBe('2027-10-31T02:30');
  });
});
