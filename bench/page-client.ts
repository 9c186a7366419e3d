// A Herald API process of its own for the page benchmarks, signing in, and timing page requests.
import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/load.js';
import { createContext, type Context } from '../src/app/context.js';
import { createLogger } from '../src/log.js';
import { waitReady } from '../src/redis/connection.js';
import { buildServer } from '../src/http/server.js';
import { REDIS_URL, tempDir } from './lib.js';

export interface BenchServer {
  ctx: Context;
  server: FastifyInstance;
  close(): Promise<void>;
}

/** A context and HTTP server on a fresh data dir (SQLite unless DATABASE_URL) and Redis prefix. */
export async function startBenchServer(name: string): Promise<BenchServer> {
  const dataDir = tempDir(name);
  const prefix = `{herald-bench-${name}-${process.pid}}`;
  const config = loadConfig({
    env: { ...process.env, HERALD_CONFIG: '' },
    cwd: dataDir,
    overrides: {
      dataDir,
      queuePrefix: prefix,
      logLevel: 'warn',
      apiToken: 'bench-token-0123456789',
      ...(process.env.DATABASE_URL ? {} : { databaseUrl: `sqlite:${dataDir}/herald.db` }),
    },
  });
  const ctx = await createContext(config, { redis: { url: REDIS_URL }, log: createLogger('warn') });
  await waitReady(ctx.queues.connection); // publishing refuses while the queue's connection is not up yet
  const server = await buildServer(ctx, { apiToken: 'bench-token-0123456789' });
  /** Stops the server, then removes the run's Redis keys and data dir. */
  const close = async () => {
    await server.close();
    await ctx.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { ctx, server, close };
}

export async function signIn(base: string, email: string, password: string): Promise<string> {
  const page = await fetch(`${base}/login`);
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const token = (await page.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: token, email, password, next: '/' }),
  });
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .filter((c) => c.startsWith('herald_session='))
    .join('; ');
}

/** One request: time to the response headers (TTFB), total time, bytes of the body. */
export async function measure(url: string, cookie: string) {
  const started = performance.now();
  const res = await fetch(url, { headers: { cookie } });
  const ttfb = performance.now() - started;
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  return { ttfb, total: performance.now() - started, bytes: body.length, html: body.toString('utf8') };
}
