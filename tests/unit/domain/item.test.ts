import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.js';
import { applyItemPatch, validateItemFields } from '../../../src/domain/item.js';

const valid = { title: 'Cities and climate', url: 'https://example.org/news/1' };

function problems(input: unknown): Record<string, string> {
  try {
    validateItemFields(input);
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  return {};
}

describe('item validation', () => {
  it('accepts a minimal item and fills defaults', () => {
    const item = validateItemFields(valid);
    expect(item).toMatchObject({
      summary: '',
      body: '',
      tags: [],
      language: 'en',
      thread: false,
      slug: 'cities-and-climate',
    });
  });

  const rules: Array<[string, Record<string, unknown>, string, string]> = [
    ['title missing', { url: valid.url }, 'title', 'must be a string'],
    ['title blank', { ...valid, title: '   ' }, 'title', 'is required'],
    ['title too long', { ...valid, title: 'x'.repeat(301) }, 'title', 'must be at most 300 characters'],
    ['title with NUL', { ...valid, title: 'a\u0000b' }, 'title', 'must not contain NUL characters'],
    [
      'summary too long',
      { ...valid, summary: 'x'.repeat(2001) },
      'summary',
      'must be at most 2000 characters',
    ],
    [
      'body over 100 kB (bytes, not characters)',
      { ...valid, body: '€'.repeat(35_000) },
      'body',
      'must be at most 100 kB',
    ],
    ['url missing', { title: 'x' }, 'url', 'must be a string'],
    ['url not http(s)', { ...valid, url: 'javascript:alert(1)' }, 'url', 'must be an absolute http(s) URL'],
    ['url relative', { ...valid, url: '/news/1' }, 'url', 'must be an absolute http(s) URL'],
    [
      'url too long',
      { ...valid, url: `https://example.org/${'a'.repeat(2048)}` },
      'url',
      'must be at most 2048 characters',
    ],
    [
      'image url ftp',
      { ...valid, imageUrl: 'ftp://x.org/a.png', imageAlt: 'a' },
      'imageUrl',
      'must be an absolute http(s) URL',
    ],
    [
      'image without alt text',
      { ...valid, imageUrl: 'https://x.org/a.png' },
      'imageAlt',
      'is required when imageUrl is given (describe the image for people who cannot see it)',
    ],
    [
      'alt text without image',
      { ...valid, imageAlt: 'a photo' },
      'imageAlt',
      'must be empty when there is no imageUrl',
    ],
    [
      'too many tags',
      { ...valid, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) },
      'tags',
      'must have at most 20 tags',
    ],
    [
      'tag with two spaces in a row',
      { ...valid, tags: ['ok', 'smart  cities'] },
      'tags.1',
      "must contain only letters, digits, single spaces, '-' and '_' (it becomes one hashtag)",
    ],
    [
      'tag starting with a space',
      { ...valid, tags: [' cities'] },
      'tags.0',
      "must contain only letters, digits, single spaces, '-' and '_' (it becomes one hashtag)",
    ],
    ['empty tag', { ...valid, tags: [''] }, 'tags.0', 'must not be empty'],
    ['tag too long', { ...valid, tags: ['x'.repeat(51)] }, 'tags.0', 'must be at most 50 characters'],
    [
      'language not BCP 47',
      { ...valid, language: 'english' },
      'language',
      'must be a BCP 47 language tag such as "en" or "fr-BE"',
    ],
    [
      'slug with capitals',
      { ...valid, slug: 'Hello' },
      'slug',
      'must be lowercase letters and digits separated by single hyphens',
    ],
    ['thread not boolean', { ...valid, thread: 'yes' }, 'thread', 'must be true or false'],
    ['unknown field', { ...valid, colour: 'red' }, 'colour', 'unknown field'],
    [
      'translation without title',
      { ...valid, translations: { fr: { summary: 'x' } } },
      'translations.fr.title',
      'must be a string',
    ],
  ];
  for (const [name, input, field, message] of rules) {
    it(`rejects ${name}`, () => {
      expect(problems(input)[field]).toBe(message);
    });
  }

  it('reports every problem at once', () => {
    expect(Object.keys(problems({ title: '', url: 'x', tags: 'a', language: 1 })).sort()).toEqual([
      'language',
      'tags',
      'title',
      'url',
    ]);
  });

  it('accepts unicode tags, regional language tags and translations', () => {
    const item = validateItemFields({
      ...valid,
      tags: ['Città', 'København', 'smart_cities'],
      language: 'fr-BE',
      translations: { de: { title: 'Städte' } },
    });
    expect(item.tags).toEqual(['Città', 'København', 'smart_cities']);
  });

  it('a patch is validated against the whole item', () => {
    const current = validateItemFields({ ...valid, imageUrl: 'https://x.org/a.png', imageAlt: 'a photo' });
    expect(() => applyItemPatch(current, { imageAlt: null })).toThrow(ValidationError);
    expect(applyItemPatch(current, { title: 'New title' }).title).toBe('New title');
    expect(() => applyItemPatch(current, { status: 'published' })).toThrow(/status: unknown field/);
  });
});
