import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.js';
import {
  emailKey,
  languageFallbacks,
  normaliseCountry,
  normaliseEmail,
  normaliseLanguage,
  normaliseRegionType,
  validateContactFields,
  validatePreferences,
} from '../../../src/domain/member.js';
import { shouldReceive } from '../../../src/domain/newsletter.js';

describe('emails', () => {
  it.each([
    ['  Jeanne.Martin@Lyon.FR ', 'Jeanne.Martin@lyon.fr'],
    ['a+tag@sub.example.org', 'a+tag@sub.example.org'],
    ["o'neil@cork.ie", "o'neil@cork.ie"],
    ['info@ville-de-liège.be', 'info@xn--ville-de-lige-6gb.be'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });

  it.each([
    '',
    'plain',
    '@example.org',
    'a@',
    'a@localhost',
    'a..b@example.org',
    '.a@example.org',
    'a@-x.org',
    'a b@example.org',
    'a@b@example.org',
    'jörg@example.de',
    'a@example.1',
    `${'x'.repeat(65)}@example.org`,
  ])('rejects %j', (input) => {
    expect(normaliseEmail(input)).toBeNull();
  });

  it('keys addresses case-insensitively', () => {
    expect(emailKey('Jeanne@lyon.fr')).toBe(emailKey('jeanne@LYON.fr'));
  });
});

describe('languages, countries, region types', () => {
  it('normalises supported languages and rejects the rest', () => {
    expect(normaliseLanguage(' FR ')).toBe('fr');
    expect(normaliseLanguage('fr_be')).toBe('fr-BE');
    expect(normaliseLanguage('xx')).toBeNull();
    expect(normaliseLanguage('english')).toBeNull();
    expect(languageFallbacks('fr-BE')).toEqual(['fr-BE', 'fr']);
  });

  it('accepts ISO 3166-1 alpha-2 codes only', () => {
    expect(normaliseCountry(' fr')).toBe('FR');
    expect(normaliseCountry('XK')).toBe('XK');
    expect(normaliseCountry('EU')).toBeNull();
    expect(normaliseCountry('FRA')).toBeNull();
  });

  it('normalises region types', () => {
    expect(normaliseRegionType('Metropolitan area')).toBe('metropolitan_area');
    expect(normaliseRegionType('village')).toBeNull();
  });
});

describe('API validation', () => {
  it('validates and normalises a contact, listing every problem', () => {
    expect(validateContactFields({ authorityId: 'a1', email: ' Ann@Example.ORG', language: 'DE' })).toEqual({
      authorityId: 'a1',
      name: '',
      email: 'Ann@example.org',
      language: 'de',
      subscriptions: { announcements: true, digest: true },
    });
    try {
      validateContactFields({ authorityId: '', email: 'nope', language: 'xx', extra: 1 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect(Object.keys((err as ValidationError).fields).sort()).toEqual([
        'authorityId',
        'email',
        'extra',
        'language',
      ]);
    }
  });

  it('validates preferences', () => {
    expect(validatePreferences({ subscriptions: { digest: false } })).toEqual({
      subscriptions: { digest: false },
    });
    expect(() => validatePreferences({ status: 'active' })).toThrow(ValidationError);
  });
});

describe('who receives a newsletter', () => {
  it('needs an active contact subscribed to that kind', () => {
    const contact = { status: 'active' as const, subscriptions: { announcements: true, digest: false } };
    expect(shouldReceive(contact, 'announcement')).toBe(true);
    expect(shouldReceive(contact, 'digest')).toBe(false);
    expect(shouldReceive({ ...contact, status: 'unsubscribed' }, 'announcement')).toBe(false);
    expect(shouldReceive({ ...contact, status: 'bounced' }, 'announcement')).toBe(false);
  });
});
