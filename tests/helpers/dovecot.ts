// A private Dovecot IMAP server for the bounce mailbox tests: its own directory, a free loopback port,
// plain-text login, one user. Run unprivileged: as `nobody` when the tests run as root (Dovecot's login
// process refuses root), as the current user otherwise. scripts/test.sh installs dovecot-imapd when missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { waitFor } from './app.js';

const DOVECOT = '/usr/sbin/dovecot';
const NOBODY = 65534;

export const dovecotSkipReason: string | null = existsSync(DOVECOT)
  ? null
  : `${DOVECOT} is missing (apt-get install dovecot-imapd; scripts/test.sh does it)`;
if (dovecotSkipReason) console.warn(`[tests] skipping bounce mailbox tests: ${dovecotSkipReason}`);

export interface Dovecot {
  url: (query?: string) => string;
  /** A client logged in as the mailbox's user (closed by close()). */
  imap: () => Promise<ImapFlow>;
  append: (folder: string, raw: string | Buffer) => Promise<void>;
  /** The number of messages in each folder. */
  counts: () => Promise<Record<string, number>>;
  close: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('* OK'));
    });
    socket.once('error', () => resolve(false));
  });

function config(dir: string, port: number, uid: number, gid: number): string {
  const asRoot = process.getuid?.() === 0;
  return `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
${asRoot ? 'default_internal_user = nobody\ndefault_internal_group = nogroup\ndefault_login_user = nobody\n' : ''}mail_location = maildir:${dir}/mail/%u
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`;
}

export async function startDovecot(user = 'bounces', pass = 'b0unce-pass'): Promise<Dovecot> {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-dovecot-'));
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? NOBODY : process.getuid!();
  const gid = asRoot ? NOBODY : process.getgid!();
  for (const sub of ['run', 'state', 'mail']) mkdirSync(path.join(dir, sub));
  const port = await freePort();
  writeFileSync(path.join(dir, 'dovecot.conf'), config(dir, port, uid, gid));
  writeFileSync(path.join(dir, 'users'), `${user}:{PLAIN}${pass}\n`);
  if (asRoot)
    for (const p of ['', 'run', 'state', 'mail', 'dovecot.conf', 'users'])
      chownSync(path.join(dir, p), uid, gid);
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', path.join(dir, 'dovecot.conf')], {
    stdio: 'ignore',
    ...(asRoot ? { uid, gid } : {}),
  });
  await waitFor(() => answers(port), 15_000, `dovecot on 127.0.0.1:${port} (see ${dir}/dovecot.log)`);
  const clients: ImapFlow[] = [];
  let shared: Promise<ImapFlow> | null = null;
  const imap = async () => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass }, logger: false });
    await c.connect();
    clients.push(c);
    return c;
  };
  return {
    url: (query = '') => `imap://${user}:${encodeURIComponent(pass)}@127.0.0.1:${port}/INBOX${query}`,
    imap,
    async append(folder, raw) {
      const c = await (shared ??= imap());
      await c.append(folder, raw);
    },
    async counts() {
      const c = await (shared ??= imap());
      const result: Record<string, number> = {};
      for (const box of await c.list()) {
        const status = await c.status(box.path, { messages: true });
        result[box.path] = status ? (status.messages ?? 0) : 0;
      }
      return result;
    },
    async close() {
      await Promise.all(clients.map((c) => c.logout().catch(() => c.close())));
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
