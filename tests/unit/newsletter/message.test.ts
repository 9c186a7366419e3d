import { describe, expect, it } from 'vitest';
import type { NewsletterMessageInput } from '../../../src/newsletter/message.js';
import {
  buildNewsletterMessage,
  DKIM_SIGNED_HEADERS,
  newsletterMessageId,
  parseNewsletterMessageId,
} from '../../../src/newsletter/message.js';

const input: NewsletterMessageInput = {
  newsletterId: 'nl-1',
  contactId: 'c_42',
  from: { name: 'Alliance of Cities', address: 'news@herald.example.org' },
  to: { name: 'Jeanne', address: 'jeanne@lyon.example.fr' },
  content: { subject: 'Hello', html: '<p>Hi</p>', text: 'Hi' },
  unsubscribeUrl: 'https://herald.example.org/u/tok',
  list: { id: 'members.herald.example.org', name: 'Alliance members' },
  messageIdHost: 'herald.example.org',
};

describe('newsletter messages', () => {
  it('has a deterministic Message-ID that can be read back', () => {
    expect(newsletterMessageId('nl-1', 'c_42', 'herald.example.org')).toBe('<nl-1.c_42@herald.example.org>');
    expect(parseNewsletterMessageId('<nl-1.c_42@herald.example.org>')).toEqual({
      newsletterId: 'nl-1',
      contactId: 'c_42',
    });
    expect(parseNewsletterMessageId('<random@gmail.com>')).toBeNull();
    expect(() => newsletterMessageId('nl.1', 'c', 'h.example')).toThrow();
    expect(() => newsletterMessageId('nl', 'c>', 'h.example')).toThrow();
    expect(() => newsletterMessageId('nl', 'c', 'bad host')).toThrow();
  });

  it('sets the unsubscribe headers, List-Id, envelope and DKIM options', () => {
    const message = buildNewsletterMessage({
      ...input,
      returnPath: 'bounces@herald.example.org',
      unsubscribeMailto: 'unsubscribe@herald.example.org',
      dkim: { domainName: 'herald.example.org', keySelector: 's1', privateKey: 'PEM' },
    });
    expect(message).toMatchObject({
      messageId: '<nl-1.c_42@herald.example.org>',
      subject: 'Hello',
      list: {
        id: { url: 'members.herald.example.org', comment: 'Alliance members' },
        unsubscribe: [['https://herald.example.org/u/tok', 'unsubscribe@herald.example.org']],
      },
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      envelope: { from: 'bounces@herald.example.org', to: 'jeanne@lyon.example.fr' },
      dkim: {
        domainName: 'herald.example.org',
        keySelector: 's1',
        privateKey: 'PEM',
        headerFieldNames: DKIM_SIGNED_HEADERS,
      },
    });
    expect(DKIM_SIGNED_HEADERS.split(':')).toEqual(
      expect.arrayContaining(['List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Id']),
    );
    expect(buildNewsletterMessage(input)).not.toHaveProperty('dkim');
  });

  it('requires an https unsubscribe URL (http only on loopback)', () => {
    expect(() =>
      buildNewsletterMessage({ ...input, unsubscribeUrl: 'http://herald.example.org/u/t' }),
    ).toThrow(/https/);
    expect(() => buildNewsletterMessage({ ...input, unsubscribeUrl: '/u/t' })).toThrow(/absolute/);
    expect(() =>
      buildNewsletterMessage({ ...input, unsubscribeUrl: 'http://127.0.0.1:3000/u/t' }),
    ).not.toThrow();
  });
});
