// Writes the permission table (src/domain/permissions.ts) into docs/web.md, between its markers.
// tests/unit/domain/permissions.test.ts fails while the two differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { PERMISSION_TABLE_MARKERS, permissionTableMarkdown } from '../src/domain/permissions.js';

const file = new URL('../docs/web.md', import.meta.url);
const doc = readFileSync(file, 'utf8');
const [start, end] = PERMISSION_TABLE_MARKERS;
const from = doc.indexOf(start);
const to = doc.indexOf(end);
if (from < 0 || to < from)
  throw new Error(`docs/web.md has no permission-table markers (${start} ... ${end})`);
writeFileSync(file, `${doc.slice(0, from + start.length)}\n${permissionTableMarkdown()}\n${doc.slice(to)}`);
