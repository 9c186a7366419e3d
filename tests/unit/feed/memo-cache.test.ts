import { describe, expect, it } from 'vitest';
import { StringMemo } from '../../../src/feed/memo-cache.js';

describe('StringMemo', () => {
  it('computes once per key and evicts the least recently used beyond its size', () => {
    const memo = new StringMemo(12);
    let calls = 0;
    const upper = (key: string) =>
      memo.get(key, () => {
        calls++;
        return key.toUpperCase();
      });
    expect(upper('aa')).toBe('AA'); // 4 chars
    expect(upper('bb')).toBe('BB'); // 8
    expect(upper('aa')).toBe('AA'); // hit; 'aa' is now the most recent
    expect(calls).toBe(2);
    upper('cc'); // 12
    upper('dd'); // 16 > 12: evicts 'bb', the least recently used
    expect(memo.size).toBe(3);
    upper('aa');
    expect(calls).toBe(4);
    upper('bb');
    expect(calls).toBe(5);
  });

  it('does not keep a value larger than the whole cache', () => {
    const memo = new StringMemo(4);
    expect(memo.get('long key', () => 'long value')).toBe('long value');
    expect(memo.size).toBe(0);
  });
});
