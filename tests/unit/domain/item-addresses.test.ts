import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.js';
import { applyItemPatch, validateItemFields, type ItemRules } from '../../../src/domain/item.js';

const valid = { title: 'Cities and climate', url: 'https://example.org/news/1' };

function problems(input: unknown, rules?: ItemRules): Record<string, string> {
  try {
    validateItemFields(input, rules);
  } catch (error) {
    if (error instanceof ValidationError) return error.fields;
    throw error;
  }
  return {};
}

describe('item url and imageUrl must be public addresses', () => {
  it.each([
    ['http://10.0.0.1/admin', 'must be a public address; 10.0.0.1 is private'],
    ['http://169.254.169.254/latest/meta-data/', 'must be a public address; 169.254.169.254 is link-local'],
    ['http://127.0.0.1:8080/x', 'must be a public address; 127.0.0.1 is loopback'],
    ['http://2130706433/', 'must be a public address; 127.0.0.1 is loopback'],
    ['http://0x7f.1/', 'must be a public address; 127.0.0.1 is loopback'],
    ['http://0.0.0.0/', 'must be a public address; 0.0.0.0 is unspecified'],
    ['http://[::1]/x.png', 'must be a public address; ::1 is loopback'],
    ['http://[::ffff:10.0.0.1]/', 'must be a public address; ::ffff:a00:1 is private'],
    ['http://[fe80::1]/', 'must be a public address; fe80::1 is link-local'],
    ['http://localhost:6379/', 'must be a public address; localhost is loopback'],
    ['https://intranet.localhost/', 'must be a public address; intranet.localhost is loopback'],
  ])('refuses %s', (url, message) => {
    expect(problems({ ...valid, url })).toMatchObject({ url: message });
    expect(problems({ ...valid, imageUrl: url, imageAlt: 'A photo' })).toEqual({ imageUrl: message });
  });

  it('names the field in the error message', () => {
    expect(() => validateItemFields({ ...valid, url: 'http://10.0.0.1/' })).toThrow(
      'url: must be a public address; 10.0.0.1 is private',
    );
  });

  it('reports the address along with every other problem', () => {
    expect(problems({ title: '', url: 'http://10.0.0.1/', imageUrl: 'http://[::1]/a.png' })).toEqual({
      title: 'is required',
      url: 'must be a public address; 10.0.0.1 is private',
      imageUrl: 'must be a public address; ::1 is loopback',
      imageAlt: 'is required when imageUrl is given (describe the image for people who cannot see it)',
    });
  });

  it('accepts public addresses and host names (names are checked when fetched, after resolution)', () => {
    for (const url of [
      'https://93.184.216.34/a',
      'https://[2606:4700:4700::1111]/a',
      'http://127.0.0.1.nip.io/x.png',
      'https://example.org/',
    ]) {
      expect(problems({ ...valid, url, imageUrl: url, imageAlt: 'x' }), url).toEqual({});
    }
  });

  it('accepts private addresses when the installation allows them', () => {
    const allow = { allowPrivateUrls: true };
    expect(
      problems(
        { ...valid, url: 'http://10.0.0.1/', imageUrl: 'http://127.0.0.1:9/a.png', imageAlt: 'x' },
        allow,
      ),
    ).toEqual({});
    expect(problems({ ...valid, url: 'http://localhost/' }, { allowPrivateUrls: false })).toEqual({
      url: 'must be a public address; localhost is loopback',
    });
  });

  it('checks a patched item as a whole, with the same rules', () => {
    const current = validateItemFields(valid);
    expect(() => applyItemPatch(current, { imageUrl: 'http://169.254.169.254/x', imageAlt: 'x' })).toThrow(
      /imageUrl: must be a public address; 169.254.169.254 is link-local/,
    );
    expect(
      applyItemPatch(
        current,
        { imageUrl: 'http://169.254.169.254/x', imageAlt: 'x' },
        { allowPrivateUrls: true },
      ).imageUrl,
    ).toBe('http://169.254.169.254/x');
  });
});
