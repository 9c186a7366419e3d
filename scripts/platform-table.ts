// Rewrites docs/social.md's platform table from the platform table (src/channels/platforms.ts).
// Run: npx tsx scripts/platform-table.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { withCurrentPlatformTable } from '../src/channels/platform-table-doc.js';

const file = 'docs/social.md';
const updated = withCurrentPlatformTable(readFileSync(file, 'utf8'));
if (updated === null) {
  console.error(`${file}: the platform table markers are missing`);
  process.exit(1);
}
writeFileSync(file, updated);
console.log(`${file}: platform table written`);
