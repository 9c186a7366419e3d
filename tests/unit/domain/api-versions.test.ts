import { describe, expect, it } from 'vitest';
import { versionWarnings, type VersionInUse } from '../../../src/domain/api-versions.js';

const inUse: VersionInUse[] = [
  { accountName: 'Our Page', platform: 'facebook', version: 'v26.0' },
  { accountName: 'Our company', platform: 'linkedin', version: '202610' },
  { accountName: 'Unknown version', platform: 'facebook', version: 'v99.0' },
];
const ends = { facebook: { 'v26.0': '2028-07-14' }, linkedin: { '202610': '2027-10-31' } };
const at = (iso: string) => new Date(iso);

describe('versionWarnings (a fake clock: `now` is given)', () => {
  it('says nothing 91 days before the end', () => {
    expect(versionWarnings(inUse.slice(0, 1), ends, at('2028-04-14T23:59:00Z'), 90)).toEqual([]);
  });

  it('warns from 90 days before the end, counting whole days', () => {
    expect(versionWarnings(inUse.slice(0, 1), ends, at('2028-04-15T00:00:01Z'), 90)).toEqual([
      { ...inUse[0], endsOn: '2028-07-14', daysLeft: 90 },
    ]);
    expect(versionWarnings(inUse.slice(0, 1), ends, at('2028-07-13T18:00:00Z'), 90)[0]?.daysLeft).toBe(1);
  });

  it('keeps warning on the day and after it, and sorts the soonest first', () => {
    const warnings = versionWarnings(inUse, ends, at('2028-07-20T08:00:00Z'), 90);
    expect(warnings.map((w) => [w.accountName, w.daysLeft])).toEqual([
      ['Our company', -263],
      ['Our Page', -6],
    ]);
  });

  it('ignores a version the table does not know', () => {
    expect(versionWarnings(inUse.slice(2), ends, at('2030-01-01T00:00:00Z'), 90)).toEqual([]);
  });
});
