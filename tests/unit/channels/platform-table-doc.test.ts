import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { platformTableMarkdown, withCurrentPlatformTable } from '../../../src/channels/platform-table-doc.js';
import { platformRows } from '../../../src/channels/platforms.js';

describe("docs/social.md's platform table", () => {
  it('is the one generated from the platform table (else run: npx tsx scripts/platform-table.ts)', () => {
    const doc = readFileSync('docs/social.md', 'utf8');
    expect(withCurrentPlatformTable(doc)).toBe(doc);
  });

  it('has one line per platform, with its display name and environment variables', () => {
    const table = platformTableMarkdown();
    for (const row of platformRows()) {
      expect(table).toContain(`| \`${row.id}\` | ${row.displayName} |`);
      for (const env of Object.values(row.envVars)) expect(table).toContain(`\`${env}\``);
    }
  });
});
