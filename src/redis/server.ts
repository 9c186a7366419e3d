import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { redisAnswers, type RedisTarget } from './connection.js';
import { UnavailableError } from '../domain/errors.js';

export interface ResolvedRedis {
  target: RedisTarget;
  /** Set when Herald started its own redis-server; stop it on exit. */
  stop?: () => Promise<void>;
}

/** Redis cannot be reached (nor started): nothing was changed, the same command can run again later. */
export class RedisUnavailableError extends UnavailableError {
  constructor(message: string) {
    super(message);
  }
}

const LOCAL_DEFAULT: RedisTarget = { url: 'redis://127.0.0.1:6379' };

/**
 * REDIS_URL if set; else a Redis on 127.0.0.1:6379; else the private one in the data dir (already running
 * from an earlier start, or started now from `redis-server` on PATH).
 */
export async function resolveRedis(
  redisUrl: string | undefined,
  dataDir: string,
  log: Logger,
  options: { spawnAllowed: boolean; localDefault?: RedisTarget },
): Promise<ResolvedRedis> {
  if (redisUrl) return { target: { url: redisUrl } };
  const localDefault = options.localDefault ?? LOCAL_DEFAULT;
  if (await redisAnswers(localDefault, 500)) return { target: localDefault };
  const dir = path.join(dataDir, 'redis');
  const socket = path.join(dir, 'redis.sock');
  if (existsSync(socket) && (await redisAnswers({ path: socket }, 500))) {
    log.info({ socket }, 'using the private redis-server started earlier');
    return { target: { path: socket } };
  }
  if (!options.spawnAllowed) {
    throw new RedisUnavailableError(
      'no Redis answers on 127.0.0.1:6379 and REDIS_URL is not set; run `herald start` (it starts one) or set REDIS_URL',
    );
  }
  return startPrivateRedis(dir, socket, log);
}

function findRedisServer(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  return found.status === 0 && bin ? bin : null;
}

/** What BullMQ needs of a Redis that holds jobs: AOF every second, no RDB snapshots, never evict keys. */
export function durableRedisArgs(dir: string): string[] {
  return [
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
  ];
}

async function startPrivateRedis(dir: string, socket: string, log: Logger): Promise<ResolvedRedis> {
  const bin = findRedisServer();
  if (!bin) {
    throw new RedisUnavailableError(
      'Herald needs Redis: none answers on 127.0.0.1:6379, REDIS_URL is not set and redis-server is not installed.\n' +
        'Install it (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`) or set REDIS_URL.',
    );
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logFile = path.join(dir, 'redis.log');
  // A unix socket path must fit in ~107 bytes; in a deeply nested data dir use a loopback port instead.
  const port = socket.length > MAX_SOCKET_PATH ? await freeLoopbackPort() : 0;
  const target: RedisTarget = port ? { url: `redis://127.0.0.1:${port}` } : { path: socket };
  const listen = port
    ? ['--port', String(port), '--bind', '127.0.0.1']
    : ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700'];
  const args = [...listen, ...durableRedisArgs(dir), '--pidfile', path.join(dir, 'redis.pid')];
  const out = openSync(logFile, 'a');
  const child = spawn(bin, args, { stdio: ['ignore', out, out], detached: false });
  await waitUntilAnswering(child, target, logFile);
  log.info(
    { redis: port ? target : socket, pid: child.pid },
    'started a private redis-server (AOF on, noeviction)',
  );
  return { target, stop: () => stopChild(child) };
}

const MAX_SOCKET_PATH = 100;

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(child: ChildProcess, target: RedisTarget, logFile: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await redisAnswers(target, 300)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-5).join('\n') : '';
  throw new RedisUnavailableError(`the private redis-server did not start; its log says:\n${tail}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
