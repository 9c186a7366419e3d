// The `herald members` and `herald newsletter` commands, run as an operator would (separate processes).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../helpers/app.js';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { publishedItem, startNewsletterApp, TOKEN_KEY } from '../../helpers/newsletter.js';

let app: TestApp;
let env: NodeJS.ProcessEnv;

async function herald(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawnHerald(args, env);
  const code = await waitForExit(child, 60_000);
  return { code, out: child.output() };
}

beforeAll(async () => {
  app = await startNewsletterApp('sqlite', null);
  env = {
    ...app.childEnv(),
    HERALD_PUBLIC_URL: 'https://herald.test',
    HERALD_NEWSLETTER_TOKEN_KEYS: TOKEN_KEY,
    HERALD_DIGEST_ENABLED: 'false',
  };
});
afterAll(async () => app?.close());

describe('herald members and herald newsletter', { timeout: 120_000 }, () => {
  it('imports contacts with a report per rejected row (exit code 1), lists them, previews a newsletter as one of them', async () => {
    const file = path.join(app.db.dataDir, 'contacts.csv');
    writeFileSync(
      file,
      'authority;country;name;email;language\nLyon;FR;Anne Martin;anne@lyon.fr;fr\nGhent;BE;Piet;piet@gent;nl\n',
    );
    const imported = await herald(['members', 'import', file]);
    expect(imported.code).toBe(1);
    expect(imported.out).toContain('2 rows: 1 created, 0 updated, 0 unchanged, 1 rejected');
    expect(imported.out).toContain('line 3 (piet@gent): invalid email "piet@gent"');

    const listed = await herald(['members', 'list', '--search', 'lyon']);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(
      /FR\s+Lyon\s+anne@lyon\.fr\s+fr\s+active\s+announcements\+digest\s+Anne Martin/,
    );

    const itemId = await publishedItem(app, 3, { translations: { fr: { title: 'Rapport trois' } } });
    const created = await herald(['newsletter', 'create', '--kind', 'announcement', '--items', itemId]);
    expect(created.code).toBe(0);
    const id = /^(nl_[0-9a-f]{32})/.exec(created.out)![1]!;
    const preview = await herald(['newsletter', 'preview', id, '--as', 'anne@lyon.fr']);
    expect(preview.code).toBe(0);
    expect(preview.out).toContain('Subject: Rapport trois');
    expect(preview.out).toContain('Bonjour Anne Martin,');

    const wrong = await herald(['newsletter', 'pause', id]);
    expect(wrong.code).toBe(2);
    expect(wrong.out).toContain('herald: cannot pause a newsletter that is draft (only when sending)');
  });
});
