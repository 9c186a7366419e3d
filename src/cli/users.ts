import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { isStaffRole, STAFF_ROLES, type StaffRole } from '../domain/staff.js';
import type { Store } from '../store/db.js';
import { withStore } from './with-context.js';
import { createStaffUser, editStaffUser, setStaffPassword } from '../app/staff.js';
import { findUserByEmail, listUsers } from '../store/users.js';

// `herald users ...`: staff accounts for the web pages. Needs only the database (not Redis), so the
// first admin can be created before anything else runs.

function roleArg(value: string): StaffRole {
  if (!isStaffRole(value)) throw new InvalidArgumentError(`must be one of ${STAFF_ROLES.join(', ')}`);
  return value;
}

/** Reads a line from the terminal without echoing it. */
function askHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let answer = '';
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readStdinLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.split(/\r?\n/)[0] ?? '';
}

/** The password: typed twice at a terminal, or the first line of standard input (scripts). */
export async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readStdinLine();
  const first = await askHidden('Password (at least 12 characters): ');
  const second = await askHidden('Password again: ');
  if (first !== second) throw new ValidationError({ password: 'the two entries differ' });
  return first;
}

async function userByEmail(store: Store, email: string) {
  const user = await findUserByEmail(store.db, email);
  if (!user) throw new NotFoundError('staff account', email);
  return user;
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('staff accounts for the web pages');
  users
    .command('add')
    .description('create a staff account; the password is asked for, or read from standard input')
    .argument('<email>', 'email address (the sign-in name)')
    .requiredOption('--role <role>', `${STAFF_ROLES.join(' or ')}`, roleArg)
    .option('--name <name>', 'name shown in the pages')
    .option('--timezone <zone>', 'IANA time zone for dates (default: the installation zone)')
    .option('--member <id>', "a contributor's member authority (aut_...; see herald members list)")
    .action(
      async (email: string, opts: { role: StaffRole; name?: string; timezone?: string; member?: string }) => {
        const password = await readPassword();
        await withStore(async (store) => {
          const user = await createStaffUser(
            store,
            {
              email,
              role: opts.role,
              name: opts.name ?? '',
              password,
              timezone: opts.timezone ?? null,
              memberId: opts.member ?? null,
            },
            'cli',
          );
          console.log(`${user.id}  ${user.email}  ${user.role}${user.memberId ? `  ${user.memberId}` : ''}`);
        });
      },
    );
  users
    .command('list')
    .description('list staff accounts')
    .action(async () => {
      await withStore(async (store) => {
        for (const u of await listUsers(store.db)) {
          console.log(
            `${u.email.padEnd(32)} ${u.role.padEnd(11)} ${u.disabled ? 'disabled' : 'active  '} last sign-in ${u.lastLoginAt ?? 'never'}`,
          );
        }
      });
    });
  users
    .command('password')
    .description(
      'set a new password (asked for, or read from standard input); signs the person out everywhere',
    )
    .argument('<email>')
    .action(async (email: string) => {
      const password = await readPassword();
      await withStore(async (store) => {
        await setStaffPassword(store, (await userByEmail(store, email)).id, password, 'cli');
        console.log(`${email}: password changed`);
      });
    });
  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    users
      .command(name)
      .description(`${name} a staff account`)
      .argument('<email>')
      .action(async (email: string) => {
        await withStore(async (store) => {
          await editStaffUser(store, (await userByEmail(store, email)).id, { disabled }, 'cli');
          console.log(`${email}: ${name}d`);
        });
      });
  }
  users
    .command('role')
    .description('change the role of a staff account')
    .argument('<email>')
    .argument('<role>', STAFF_ROLES.join(' or '), roleArg)
    .action(async (email: string, role: StaffRole) => {
      await withStore(async (store) => {
        await editStaffUser(store, (await userByEmail(store, email)).id, { role }, 'cli');
        console.log(`${email}: ${role}`);
      });
    });
}
