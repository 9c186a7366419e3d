import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/processes.js';
import { findUserByEmail } from '../../../src/store/users.js';
import { createAuthority } from '../../../src/app/members.js';
import { createStaffUser, editStaffUser } from '../../../src/app/staff.js';
import { Client, startWebApp, type WebApp } from '../../helpers/web.js';

function herald(
  args: string[],
  env: NodeJS.ProcessEnv,
  stdin: string,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts'), ...args], {
      cwd: ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
    child.stdin.end(stdin);
  });
}

// One database is enough here: the staff repositories run on SQLite and PostgreSQL in the page tests.
{
  const dialect = 'sqlite' as const;
  describe(`herald users (${dialect})`, () => {
    let web: WebApp;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      web = await startWebApp(dialect);
      env = web.app.childEnv();
    });
    afterAll(async () => web?.close());

    it('adds the first admin with the password from standard input; they can sign in with it', async () => {
      const res = await herald(
        ['users', 'add', 'Boss@Example.org', '--role', 'admin', '--name', 'The Boss'],
        env,
        'a very long password\n',
      );
      expect(res.out).toMatch(/^usr_[0-9a-f]{32} {2}boss@example\.org {2}admin\n$/);
      expect(res.code).toBe(0);
      expect(res.out).not.toContain('a very long password');
      expect(await findUserByEmail(web.app.ctx.store.db, 'boss@example.org')).toMatchObject({
        role: 'admin',
        name: 'The Boss',
      });
      expect((await new Client(web.http).signIn('boss@example.org', 'a very long password')).statusCode).toBe(
        303,
      );
    }, 60_000);

    it('says clearly what is wrong: short password, unknown role, duplicate', async () => {
      const short = await herald(['users', 'add', 'x@example.org', '--role', 'editor'], env, 'short\n');
      expect(short.code).toBe(2);
      expect(short.out).toContain('password: must be at least 12 characters');
      const role = await herald(
        ['users', 'add', 'x@example.org', '--role', 'owner'],
        env,
        'a very long password\n',
      );
      expect(role.code).not.toBe(0);
      expect(role.out).toContain('must be one of contributor, editor, admin');
      const twice = await herald(
        ['users', 'add', 'boss@example.org', '--role', 'editor'],
        env,
        'a very long password\n',
      );
      expect(twice.code).toBe(2);
      expect(twice.out).toContain('a staff account for boss@example.org already exists');
    }, 60_000);

    it('adds a contributor for a member authority; a contributor needs one, that exists, and only contributors have one', async () => {
      const lyon = await createAuthority(web.app.ctx.store, { name: 'Lyon', country: 'FR' }, 'test');
      const added = await herald(
        ['users', 'add', 'ana@lyon.example', '--role', 'contributor', '--member', lyon.id],
        env,
        'a very long password\n',
      );
      expect(added.out).toMatch(
        new RegExp(`^usr_[0-9a-f]{32} {2}ana@lyon\\.example {2}contributor {2}${lyon.id}\n$`),
      );
      expect(await findUserByEmail(web.app.ctx.store.db, 'ana@lyon.example')).toMatchObject({
        role: 'contributor',
        memberId: lyon.id,
      });
      // The refusals, through the use case the command calls (each spawn takes seconds on a loaded machine).
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ role: 'contributor' }, 'memberId: is required for a contributor'],
        [
          { role: 'contributor', memberId: `aut_${'0'.repeat(32)}` },
          `no member authority aut_${'0'.repeat(32)}`,
        ],
        [{ role: 'contributor', memberId: 'lyon' }, 'memberId: must be the id of a member authority'],
        [{ role: 'editor', memberId: lyon.id }, 'memberId: is only for contributors'],
      ];
      for (const [fields, message] of cases)
        await expect(
          createStaffUser(
            web.app.ctx.store,
            { email: 'x@example.org', password: 'a very long password', ...fields },
            'cli',
          ),
        ).rejects.toThrow(message);
      expect(await findUserByEmail(web.app.ctx.store.db, 'x@example.org')).toBeNull();
      // Changing roles keeps the rule: leaving the contributor role leaves the member; joining it needs one.
      const ana = (await findUserByEmail(web.app.ctx.store.db, 'ana@lyon.example'))!;
      expect(await editStaffUser(web.app.ctx.store, ana.id, { role: 'editor' }, 'test')).toMatchObject({
        role: 'editor',
        memberId: null,
      });
      await expect(editStaffUser(web.app.ctx.store, ana.id, { role: 'contributor' }, 'test')).rejects.toThrow(
        'memberId: is required for a contributor',
      );
      expect(
        await editStaffUser(web.app.ctx.store, ana.id, { role: 'contributor', memberId: lyon.id }, 'test'),
      ).toMatchObject({ role: 'contributor', memberId: lyon.id });
    }, 120_000);

    it('lists accounts and changes a password', async () => {
      const list = await herald(['users', 'list'], env, '');
      expect(list.out).toMatch(/boss@example\.org\s+admin\s+active/);
      const change = await herald(['users', 'password', 'boss@example.org'], env, 'another long password\n');
      expect(change.code).toBe(0);
      expect(
        (await new Client(web.http, '10.6.0.1').signIn('boss@example.org', 'another long password'))
          .statusCode,
      ).toBe(303);
    }, 60_000);
  });
}
