import { spawn, spawnSync } from 'node:child_process';
import { BackupError } from './errors.js';

/** The path of a command on PATH, or null. */
export function findTool(name: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  return found.status === 0 && bin ? bin : null;
}

export const pgDumpCommand = () => 'pg_dump --format=custom --no-owner --file=herald.pgdump "$DATABASE_URL"';
export const pgRestoreCommand = (dump: string) =>
  `pg_restore --no-owner --exit-on-error --dbname="$DATABASE_URL" ${dump}`;

/** The URL without its password, which goes to the tool through PGPASSWORD (never on a command line). */
function connection(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { url: parsed.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

export function runPgDump(databaseUrl: string, file: string): Promise<void> {
  const { url, env } = connection(databaseUrl);
  return run('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${url}`], env);
}

export function runPgRestore(databaseUrl: string, file: string): Promise<void> {
  const { url, env } = connection(databaseUrl);
  return run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${url}`, file], env);
}

function run(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => reject(new BackupError(`${tool} could not run: ${error.message}`)));
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new BackupError(
              `${tool} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`,
            ),
          ),
    );
  });
}
