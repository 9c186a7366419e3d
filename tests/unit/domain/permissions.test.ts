import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AREAS,
  can,
  isStaffPermission,
  PERMISSION_TABLE,
  PERMISSION_TABLE_MARKERS,
  permissionTableMarkdown,
} from '../../../src/domain/permissions.js';

describe('the permission table', () => {
  it('is the one docs/web.md shows (run `npx tsx scripts/permission-table.ts` after changing it)', () => {
    const doc = readFileSync(new URL('../../../docs/web.md', import.meta.url), 'utf8');
    const [start, end] = PERMISSION_TABLE_MARKERS;
    expect(doc).toContain(start);
    const shown = doc.slice(doc.indexOf(start) + start.length, doc.indexOf(end)).trim();
    expect(shown).toBe(permissionTableMarkdown());
  });

  it('keeps contacts and newsletter sending from editors, users from the API token, and queue writes from everybody', () => {
    expect(can('editor', 'members:read')).toBe(false);
    expect(can('editor', 'newsletters:write')).toBe(false);
    expect(can('editor', 'newsletters:read')).toBe(true);
    expect(can('editor', 'review:write')).toBe(true);
    expect(can('admin', 'members:write')).toBe(true);
    expect(can('api', 'users:write')).toBe(false);
    for (const who of ['editor', 'admin', 'api'] as const) expect(can(who, 'queues:write')).toBe(false);
    // Whoever may write an area may read it.
    for (const area of AREAS)
      for (const who of PERMISSION_TABLE[area].write)
        expect({ area, who, read: PERMISSION_TABLE[area].read.includes(who) }).toEqual({
          area,
          who,
          read: true,
        });
  });

  it('knows a permission from a look-alike', () => {
    expect(isStaffPermission('items:read')).toBe(true);
    for (const bad of ['items', 'items:delete', 'Items:read', 'items:read:x', 'public', '', null, 1])
      expect(isStaffPermission(bad)).toBe(false);
  });
});
