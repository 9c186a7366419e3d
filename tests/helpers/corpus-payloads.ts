import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';

// Bad input shared by the corpus tests (API and pages), and the database snapshot they compare.

export const SQL_INJECTION = "x'); DROP TABLE items; --";
export const TEMPLATE_INJECTION = '{{#with constructor}}{{lookup . "constructor"}}{{/with}}';
export const JS_TEMPLATE = '${process.exit(1)}';
/** RTL override, NUL, a non-character and a lone surrogate in one string. */
export const UNICODE_EDGES = '\u202e\u0000\uffff\ud800 lone';
export const SSRF_URLS = [
  'http://169.254.169.254/latest/meta-data/',
  'http://10.0.0.1/admin',
  'http://[::1]/x.png',
  'http://localhost:6379/',
  'http://127.0.0.1.nip.io/x.png',
];

/** Path ids: traversal, NUL, injection, too long, emoji, RTL override, overlong UTF-8 ("../"), a lone surrogate's bytes. */
export const IDS = [
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  "1' OR '1'='1",
  'itm_' + 'z'.repeat(32),
  '{{constructor}}',
  '%F0%9F%92%A9',
  'a'.repeat(500),
  '%E2%80%AE',
  '%C0%AE%C0%AE%C0%AF',
  '%ED%A0%80',
];

/** JSON bodies for the API. */
export const BODIES: Array<[string, string]> = [
  ['malformed JSON', '{"title": '],
  ['JSON array', '[1,2,3]'],
  ['JSON null', 'null'],
  ['JSON string', '"hello"'],
  [
    'wrong types',
    JSON.stringify({ title: 1, url: [], tags: { a: 1 }, at: 5, channels: 'x', kind: 7, itemIds: 'x', to: 1 }),
  ],
  [
    'SQL injection',
    JSON.stringify({ title: SQL_INJECTION, url: "https://x.org/'--", at: "2026-01-01'; --", to: "a@b.c'--" }),
  ],
  [
    'template injection',
    JSON.stringify({ title: TEMPLATE_INJECTION, summary: JS_TEMPLATE, url: 'https://x.org' }),
  ],
  ['prototype pollution', '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}'],
  [
    'unicode edge cases',
    JSON.stringify({ title: UNICODE_EDGES, url: 'https://xn--\u00e9.org', language: 'zz-\u00e9' }),
  ],
  [
    'SSRF URLs',
    JSON.stringify({
      title: 'x',
      url: SSRF_URLS[0],
      imageUrl: SSRF_URLS[2],
      imageAlt: 'x',
      to: 'root@10.0.0.1',
    }),
  ],
  ['deeply nested', '{"a":'.repeat(2000) + '1' + '}'.repeat(2000)],
  ['huge string field', JSON.stringify({ title: 'x'.repeat(400_000), url: 'https://x.org' })],
];

export const API_TABLES = ['items', 'itemRevisions', 'deliveries', 'auditLog', 'channelAccounts'] as const;

/**
 * Every row of the given tables, or of every table the database has (migrations' own bookkeeping and
 * `leases`, which only hold short-lived locks, left out), as one comparable string. `ignore` names
 * columns (camelCase, as rows come back) that legitimately change on a read.
 */
export async function snapshot(
  db: Kysely<Database>,
  tables?: readonly string[],
  ignore: Record<string, string[]> = {},
): Promise<string> {
  const names =
    tables ??
    (
      await sql<{
        name: string;
      }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' and name <> 'leases' order by name`.execute(
        db,
      )
    ).rows.map((r) => r.name);
  const rows = await Promise.all(
    names.map((t) => sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(db)),
  );
  return JSON.stringify(
    names.map((t, i) =>
      rows[i]!.rows.map((row) =>
        JSON.stringify(row, (k, v: unknown) => (ignore[t]?.includes(k) ? undefined : v)),
      ).sort(),
    ),
  );
}
