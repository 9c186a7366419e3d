import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../../src/store/db.js';

describe('isDatabaseUnavailable', () => {
  it('recognises a database that cannot be reached or is locked', () => {
    for (const code of [
      'ECONNREFUSED',
      '57P01',
      '57P03',
      '08006',
      '08001',
      'SQLITE_BUSY',
      'SQLITE_BUSY_SNAPSHOT',
      'SQLITE_LOCKED',
    ]) {
      expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code })), code).toBe(true);
    }
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('leaves real query errors alone', () => {
    for (const code of ['23505', '42P01', 'SQLITE_CONSTRAINT_UNIQUE', undefined]) {
      expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code })), String(code)).toBe(false);
    }
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
