import { describe, expect, it } from 'vitest';
import {
  formFieldErrors,
  formProblems,
  inputFromValues,
  splitTags,
  valuesFromForm,
} from '../../../../src/http/pages/item-form.js';
import { validateItemFields } from '../../../../src/domain/item.js';
import type { ValidationError } from '../../../../src/domain/errors.js';

describe('the item form', () => {
  it('splits tags on commas only: the words of one tag stay together; a leading # is dropped', () => {
    expect(splitTags(' climate, #cities  energy,,Roma inclusion')).toEqual([
      'climate',
      'cities energy',
      'Roma inclusion',
    ]);
  });

  it('turns form fields into item fields: empty image is null, empty overrides and translation blocks are left out', () => {
    const values = valuesFromForm({
      title: 'T',
      url: 'https://example.org/',
      imageUrl: '',
      imageAlt: '  ',
      tags: 'a, b',
      language: 'fr',
      'text.twitter': 'tweet',
      'text.facebook': '  ',
      thread: 'on',
      'tr.0.language': 'en',
      'tr.0.title': 'T en',
      'tr.0.summary': '',
      'tr.0.body': '',
      'tr.1.language': '',
      'tr.1.title': '',
      'tr.1.summary': '',
      'tr.1.body': '',
    });
    const input = inputFromValues(values);
    expect(input).toMatchObject({
      imageUrl: null,
      imageAlt: null,
      tags: ['a', 'b'],
      language: 'fr',
      channelTexts: { twitter: 'tweet' },
      translations: { en: { title: 'T en' } },
      thread: true,
    });
    expect(() => validateItemFields(input)).not.toThrow();
  });

  it('catches what the form alone can see: two blocks for one language, the item language, a block without a language', () => {
    const values = valuesFromForm({
      language: 'en',
      'tr.0.language': 'fr',
      'tr.0.title': 'a',
      'tr.1.language': 'fr',
      'tr.1.title': 'b',
      'tr.2.language': 'en',
      'tr.2.title': 'c',
      'tr.3.language': '',
      'tr.3.title': 'd',
    });
    expect(formProblems(values)).toEqual({
      'tr.1.language': 'has a translation already',
      'tr.2.language': "is the item's own language",
      'tr.3.language': 'is required for a translation',
    });
  });

  it('puts each problem of the item rules on the form field it concerns', () => {
    const values = valuesFromForm({
      title: '',
      url: 'x',
      tags: 'ok, bad!',
      'tr.0.language': 'fr',
      'tr.0.title': ' ',
      'text.twitter-main': 'x',
    });
    let fields = {};
    try {
      validateItemFields(inputFromValues(values));
    } catch (error) {
      fields = (error as ValidationError).fields;
    }
    expect(formFieldErrors(fields, values)).toMatchObject({
      title: 'is required',
      url: 'must be an absolute http(s) URL',
      tags: expect.stringMatching(/^tag 2: /),
      'tr.0.title': 'is required',
    });
    expect(
      formFieldErrors({ 'channelTexts.twitter-main': 'too long', at: 'is in the past' }, values),
    ).toEqual({ 'text.twitter-main': 'too long', publishAt: 'is in the past' });
  });
});
