import { describe, expect, it } from 'vitest';
import {
  feedbackId,
  parseFeedbackId,
  verifyVerpToken,
  verpAddress,
  verpToken,
  verpTokenOf,
} from '../../../src/newsletter/verp.js';

const KEY = 'verp-test-key-0123456789abcdef0123456789';
const OLD_KEY = 'verp-old-key-0123456789abcdef0123456789a';
const RECIPIENT = 'nlr_0123456789abcdef0123456789abcdef';

describe('VERP tokens', () => {
  it('names the recipient row, fits a local part and reads back from the address in any case', () => {
    const token = verpToken(RECIPIENT, KEY);
    const address = verpAddress('bounces@alliance.example', token);
    expect(address).toMatch(/^bounces\+[0-9a-f]{48}@alliance\.example$/);
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
    const back = verpTokenOf(address.toUpperCase(), 'bounces@alliance.example');
    expect(verifyVerpToken(back!, [KEY])).toBe(RECIPIENT);
    expect(verifyVerpToken(back!, [OLD_KEY, KEY])).toBe(RECIPIENT);
  });

  it('refuses forged, altered or foreign tokens', () => {
    const token = verpToken(RECIPIENT, KEY);
    expect(verifyVerpToken(token, [OLD_KEY])).toBeNull();
    const altered = `${token.slice(0, 5)}${token[5] === 'a' ? 'b' : 'a'}${token.slice(6)}`;
    expect(verifyVerpToken(altered, [KEY])).toBeNull();
    expect(verifyVerpToken('nonsense', [KEY])).toBeNull();
    expect(verpTokenOf(`bounces+${token}@elsewhere.example`, 'bounces@alliance.example')).toBeNull();
    expect(verpTokenOf(`other+${token}@alliance.example`, 'bounces@alliance.example')).toBeNull();
    expect(() => verpToken('ctc_1', KEY)).toThrow(/recipient rows/);
    expect(() => verpAddress('a-very-long-bounce-box@alliance.example', token)).toThrow(/no room/);
  });

  it('builds and parses Feedback-ID', () => {
    const id = feedbackId('nl_1', 'digest', 'members.alliance.example');
    expect(id).toBe('nl_1:digest:members.alliance.example:herald');
    expect(parseFeedbackId(id)).toEqual({
      newsletterId: 'nl_1',
      kind: 'digest',
      listId: 'members.alliance.example',
    });
    expect(parseFeedbackId('a:b:c:other')).toBeNull();
  });
});
