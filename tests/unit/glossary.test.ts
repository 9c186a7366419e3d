import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

const glossary = readFileSync('docs/glossary.md', 'utf8');
const sources = new Map([...files('src'), ...files('workers')].map((f) => [f, readFileSync(f, 'utf8')]));

/** Rows of the first table after `heading` (the table's first column first). */
function tableRows(heading: string | RegExp): string[][] {
  const section = glossary.split(heading)[1]!.split('\n## ')[0]!;
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[-| ]+\|$/.test(line))
    .slice(1)
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

const codeNames = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** Retired words as they would appear in code, and where they may still appear. */
const RETIRED: { pattern: RegExp; allowedIn: RegExp }[] = [
  { pattern: /OutboxPost|outbox_posts|outboxPosts/, allowedIn: /^src\/store\/migrations\/00[17]-/ },
  { pattern: /\/api\/outbox/, allowedIn: /^src\/http\/(routes\/deliveries|openapi)\.ts$/ },
  { pattern: /mail-outbox|outboxDir|\.eml outbox/, allowedIn: /^$/ },
  { pattern: /(?:[:<,{(|]\s*|\btype\s+)Platform\b(?!Id|Row|Capabilities)(?!\s*\|)/, allowedIn: /^$/ },
  { pattern: /PLATFORM_NAMES|PLATFORM_WORDS/, allowedIn: /^$/ },
  {
    pattern: /queues?\.get\('social'\)|new (?:Queue|Worker)\('social'|worker social/,
    allowedIn: /^src\/(queues\/names|cli\/index)\.ts$/,
  },
];

describe('glossary', () => {
  it('every word is used in src/ under the name it gives', () => {
    const names = tableRows(/\| Word +\|/).flatMap((row) => codeNames(row[2]!));
    expect(names.length).toBeGreaterThan(15);
    const all = [...sources.values()].join('\n');
    expect(names.filter((name) => !all.includes(name))).toEqual([]);
  });

  it('no retired word is back outside migrations and the aliases kept for one release', () => {
    expect(tableRows('## Retired words').length).toBe(RETIRED.length);
    const found = [...sources].flatMap(([file, text]) =>
      RETIRED.filter((r) => r.pattern.test(text) && !r.allowedIn.test(file)).map(
        (r) => `${file}: ${r.pattern}`,
      ),
    );
    expect(found).toEqual([]);
  });
});
