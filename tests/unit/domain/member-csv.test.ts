import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.js';
import type { Authority, Contact } from '../../../src/domain/member.js';
import { exportContactsCsv, planContactImport } from '../../../src/domain/member-csv.js';

const HEADER = 'authority,country,name,email,language';

describe('CSV import', () => {
  const csv = [
    `${HEADER},region_type,digest`, // line 1
    'Métropole de Lyon,FR,Jeanne Martin,Jeanne.Martin@LYON.fr,fr,metropolitan_area,yes', // 2
    'Cork City Council,ie,Zoë O’Neil,zoe@cork.example.ie,en,city,', // 3
    'Gemeente Utrecht,NL,Piet,piet@@utrecht.nl,nl,city,yes', // 4: invalid email
    'Gemeente Utrecht,NL,Anna,anna@utrecht.example.nl,klingon,city,no', // 5: unknown language
    'Métropole de Lyon,FR,,jeanne.martin@lyon.fr,fr,,', // 6: duplicate, merges
    'Ville de Paris,FR,,jeanne.martin@lyon.fr,fr,city,', // 7: duplicate with another authority
    '"Comune di ', // 8-9: a quoted field spanning two lines
    'Bologna",XX,Marco,marco@comune.bologna.it,it,city,yes', //    unknown country
    ',FR,Nobody,nobody@example.fr,fr,,', // 10: missing authority
    '', // 11: empty line, skipped
    'Gemeente Utrecht,NL,Anna,anna@utrecht.example.nl,nl,city,maybe', // 12: bad flag
    'Gemeente Utrecht,NL,Anna,anna@utrecht.example.nl,nl', // 13: short row
    'gemeente  utrecht,nl,Bram,bram@utrecht.example.nl,nl-NL,,no', // 14: same authority, other spelling
  ].join('\r\n');

  const plan = planContactImport(csv);

  it('reports every rejected row with its line number and reason', () => {
    expect(plan.rejected.map((r) => [r.line, r.reason])).toEqual([
      [4, 'invalid email "piet@@utrecht.nl"'],
      [5, 'unknown language "klingon"'],
      [7, 'duplicate of line 2 with a different authority'],
      [8, 'unknown country code "XX"'],
      [10, 'missing authority'],
      [12, 'must be yes or no, not "maybe"'],
      [13, 'row has 5 columns, the header has 7'],
    ]);
    expect(plan.rejected.find((r) => r.line === 4)?.problems).toEqual([
      { column: 'email', message: 'invalid email "piet@@utrecht.nl"' },
    ]);
  });

  it('returns the valid rows, normalised and deduplicated', () => {
    expect(plan.rows).toBe(11);
    expect(plan.contacts.map((c) => [c.line, c.email, c.language, c.authorityKey, c.subscriptions])).toEqual([
      [2, 'Jeanne.Martin@lyon.fr', 'fr', 'FR|métropole de lyon', { digest: true }],
      [3, 'zoe@cork.example.ie', 'en', 'IE|cork city council', {}],
      [14, 'bram@utrecht.example.nl', 'nl-NL', 'NL|gemeente utrecht', { digest: false }],
    ]);
    expect(plan.authorities).toEqual([
      {
        key: 'FR|métropole de lyon',
        name: 'Métropole de Lyon',
        country: 'FR',
        regionType: 'metropolitan_area',
        line: 2,
      },
      { key: 'IE|cork city council', name: 'Cork City Council', country: 'IE', regionType: 'city', line: 3 },
      { key: 'NL|gemeente utrecht', name: 'gemeente utrecht', country: 'NL', line: 14 },
    ]);
    expect(plan.notes).toContainEqual({
      line: 6,
      message: 'duplicate of line 2 (Jeanne.Martin@lyon.fr): merged into it',
    });
  });

  it('reads semicolon-separated files with a BOM', () => {
    const semicolons = `\uFEFF${HEADER.replaceAll(',', ';')}\nVille de Paris;FR;Dupont, Marie;marie@paris.fr;fr\n`;
    const result = planContactImport(Buffer.from(semicolons));
    expect(result.rejected).toEqual([]);
    expect(result.contacts[0]).toMatchObject({ name: 'Dupont, Marie', email: 'marie@paris.fr' });
  });

  it('notes unused columns and never takes a status from the file', () => {
    const result = planContactImport(`${HEADER},status,phone\nParis,FR,A,a@paris.fr,fr,active,123\n`);
    expect(result.notes.map((n) => n.message)).toEqual([
      'column "phone" is not used',
      "column status is not used: an import never changes a contact's status",
    ]);
    expect(result.contacts[0]).not.toHaveProperty('status');
  });

  it('refuses a file without the required columns or with broken quoting', () => {
    expect(() => planContactImport('authority,email\nParis,a@paris.fr\n')).toThrow(
      /missing the column\(s\) country, name, language/,
    );
    expect(() => planContactImport('')).toThrow(ValidationError);
    expect(() => planContactImport(`${HEADER}\n"Paris"x,FR,A,a@paris.fr,fr\n`)).toThrow(ValidationError);
  });
});

describe('CSV export', () => {
  const authorities: Authority[] = [
    { id: 'a1', name: 'Métropole de Lyon', country: 'FR', regionType: 'metropolitan_area' },
    { id: 'a2', name: '=HYPERLINK("http://evil.example","Click")', country: 'IE', regionType: 'city' },
  ];
  const contacts: Contact[] = [
    {
      id: 'c1',
      authorityId: 'a1',
      name: 'Jeanne, "Jo" Martin',
      email: 'jeanne@lyon.fr',
      language: 'fr',
      status: 'active',
      subscriptions: { announcements: true, digest: false },
    },
    {
      id: 'c2',
      authorityId: 'a2',
      name: '@SUM(1+1)',
      email: '-x@cork.ie',
      language: 'en-IE',
      status: 'unsubscribed',
      subscriptions: { announcements: false, digest: true },
    },
    {
      id: 'c3',
      authorityId: 'a2',
      name: '+33 1 23',
      email: 'tab@cork.ie',
      language: 'en',
      status: 'bounced',
      subscriptions: { announcements: true, digest: true },
    },
  ];
  const csv = exportContactsCsv(authorities, contacts);

  it('neutralises cells a spreadsheet would run as formulas', () => {
    const cells = (parse(csv, { bom: true }) as string[][]).flat();
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@]/);
    expect(cells).toContain(`'=HYPERLINK("http://evil.example","Click")`);
    expect(cells).toContain("'@SUM(1+1)");
    expect(cells).toContain("'-x@cork.ie");
    expect(
      csv.startsWith('\uFEFFauthority,country,name,email,language,region_type,announcements,digest,status\n'),
    ).toBe(true);
  });

  it('round-trips through the import', () => {
    const plan = planContactImport(csv);
    expect(plan.rejected).toEqual([]);
    expect(
      plan.contacts.map((c) => ({
        name: c.name,
        email: c.email,
        language: c.language,
        subscriptions: c.subscriptions,
      })),
    ).toEqual(
      contacts.map((c) => ({
        name: c.name,
        email: c.email,
        language: c.language,
        subscriptions: c.subscriptions,
      })),
    );
    expect(plan.authorities.map((a) => [a.name, a.country, a.regionType])).toEqual(
      authorities.map((a) => [a.name, a.country, a.regionType]),
    );
  });

  it('refuses a contact whose authority is unknown', () => {
    expect(() => exportContactsCsv([], contacts)).toThrow(/unknown authority a1/);
  });
});
