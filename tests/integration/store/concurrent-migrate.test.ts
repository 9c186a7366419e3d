// Several processes starting at once on a fresh SQLite file all migrate it (one does the work, the others
// find it done), as when `herald api` and its workers start together. Separate connections interleave
// here the way separate processes do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/db.js';
import { allMigrations, migrateToLatest } from '../../../src/store/migrate.js';

describe('concurrent migrations on SQLite', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('eight connections migrating one fresh file at once all succeed, each migration applied once', async () => {
    for (let round = 0; round < 5; round++) {
      const file = path.join(dir, `herald-${round}.db`);
      const stores = Array.from({ length: 8 }, () => openStore(`sqlite:${file}`, dir));
      try {
        const results = await Promise.allSettled(stores.map((s) => migrateToLatest(s)));
        expect(
          results
            .filter((r) => r.status === 'rejected')
            .map((r) => String((r as PromiseRejectedResult).reason)),
        ).toEqual([]);
        const applied = results.flatMap((r) => (r as PromiseFulfilledResult<string[]>).value);
        expect(applied.sort()).toEqual(Object.keys(allMigrations(stores[0]!)).sort());
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    }
  }, 60_000);
});
