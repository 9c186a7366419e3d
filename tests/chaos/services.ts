// The servers a chaos scenario may break: a private redis-server (AOF on, as in production) and a private
// PostgreSQL cluster, each in its own temporary directory, each killable and restartable.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

import { durableRedisArgs, freeLoopbackPort as freePort } from '../../src/redis/server.js';

export { freePort };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

export interface PrivateRedis {
  url: string;
  /** SIGKILL: what a crash or an OOM kill does. Acknowledged writes survive in the AOF. */
  kill(): Promise<void>;
  start(): Promise<void>;
  flushAll(): Promise<void>;
  stop(): Promise<void>;
}

/** `settings` are redis-server arguments that override the production-like defaults (e.g. `--appendonly no`). */
export async function startPrivateRedis(settings: string[] = []): Promise<PrivateRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-chaos-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const answers = async () => {
    const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      // While the AOF is loaded Redis answers LOADING: not ready yet.
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  };
  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => c.once('exit', () => r()));
  const redis: PrivateRedis = {
    url,
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', ...durableRedisArgs(dir), ...settings];
      child = spawn('redis-server', args, { stdio: 'ignore' });
      await until(answers, 15_000, 'private redis-server');
    },
    async kill() {
      if (!child) return;
      const c = child;
      child = null;
      c.kill('SIGKILL');
      await exited(c);
    },
    async flushAll() {
      const client = new Redis(url);
      await client.flushall();
      client.disconnect();
    },
    async stop() {
      await redis.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}

export interface PrivatePostgres {
  /** An admin URL (database `postgres`). */
  adminUrl: string;
  /** PostgreSQL stopped in "immediate" mode (a crash: recovery from the WAL at start) and started again after `downMs`. */
  crashAndRestart(downMs: number): Promise<void>;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Why a private PostgreSQL cannot be started here, or null. initdb refuses root, so root runs it as `postgres`. */
function postgresTools(): { bin: string; asUser: string[] } | string {
  const found = spawnSync('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1'], {
    encoding: 'utf8',
  }).stdout.trim();
  if (!found) return 'PostgreSQL server binaries (initdb, pg_ctl) are not installed';
  if (process.getuid?.() !== 0) return { bin: found, asUser: [] };
  const hasUser = spawnSync('id', ['postgres']).status === 0;
  return hasUser
    ? { bin: found, asUser: ['runuser', '-u', 'postgres', '--'] }
    : 'running as root without a `postgres` user for initdb';
}

export async function startPrivatePostgres(): Promise<PrivatePostgres | string> {
  const tools = postgresTools();
  if (typeof tools === 'string') return tools;
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-chaos-pg-'));
  chmodSync(dir, 0o700);
  if (tools.asUser.length > 0) {
    const pwd = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim();
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim();
    chownSync(dir, Number(pwd), Number(gid));
  }
  const port = await freePort();
  const run = (cmd: string, args: string[]) => {
    const [exe, ...rest] = [...tools.asUser, path.join(tools.bin, cmd), ...args];
    const result = spawnSync(exe!, rest, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr || result.stdout}`);
  };
  run('initdb', ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const answers = async () => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const start = async () => {
    run('pg_ctl', ['-D', path.join(dir, 'data'), '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
    await until(answers, 20_000, 'private PostgreSQL');
  };
  await start();
  return {
    adminUrl,
    async crashAndRestart(downMs) {
      run('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']);
      await sleep(downMs);
      await start();
    },
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`create database ${name}`);
      await client.end();
      return adminUrl.replace(/\/postgres$/, `/${name}`);
    },
    async stop() {
      try {
        run('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
