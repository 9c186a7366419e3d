// One Herald installation for one chaos scenario: the platform fakes and an SMTP server in this process,
// and Herald's real processes (`herald api`, `herald worker ...`) sharing a Redis and a database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnHerald, waitForExit } from '../helpers/processes.js';
import { startFakeFacebook, type FakeFacebook } from '../fakes/facebook.js';
import { DEFAULT_MASTODON_ACCOUNT, startFakeMastodon, type FakeMastodon } from '../fakes/mastodon.js';
import { DEFAULT_BLUESKY_ACCOUNT, startFakeBluesky, type FakeBluesky } from '../fakes/bluesky.js';
import { DEFAULT_LINKEDIN_ORGANIZATION, startFakeLinkedIn, type FakeLinkedIn } from '../fakes/linkedin.js';
import { startFakeTwitter, type FakeTwitter } from '../fakes/twitter.js';
import { envFromSettings, fakeSettings } from '../helpers/fake-env.js';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp.js';
import { openStore, type Store } from '../../src/store/db.js';
import { freePort } from './services.js';

export const API_TOKEN = 'chaos-api-token-0123456789abcdef';

/** The worker processes of an installation, by the role they play; each role may run several copies. */
export const ROLES = {
  publish: ['publish', 'maintenance', 'feed'],
  channel: ['channel'],
  newsletter: ['newsletter'],
} as const;
export type Role = keyof typeof ROLES;

type HeraldProcess = ReturnType<typeof spawnHerald>;

export interface ClusterOptions {
  redisUrl: string;
  databaseUrl: string;
  /** Copies of each worker role (default 2 channel, 2 newsletter, 1 publish). */
  copies?: Partial<Record<Role, number>>;
  env?: NodeJS.ProcessEnv;
}

export interface Cluster {
  apiUrl: string;
  redisUrl: string;
  twitter: FakeTwitter;
  facebook: FakeFacebook;
  mastodon: FakeMastodon;
  bluesky: FakeBluesky;
  linkedin: FakeLinkedIn;
  smtp: FakeSmtp;
  store: Store;
  workers: Map<Role, HeraldProcess[]>;
  api(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: () => unknown; text: string }>;
  /** SIGKILLs one copy of a role and starts a new one in its place. */
  killAndReplace(role: Role, index?: number): Promise<void>;
  signal(role: Role, index: number, signal: NodeJS.Signals): void;
  /** Last lines each process printed (for failure messages). */
  logs(): string;
  close(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const [twitter, facebook, mastodon, bluesky, linkedin, smtp] = await Promise.all([
    startFakeTwitter(),
    startFakeFacebook(),
    startFakeMastodon(),
    startFakeBluesky(),
    startFakeLinkedIn(),
    startFakeSmtp(),
  ]);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'herald-chaos-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Accounts at the platform fakes, newsletters through the SMTP server, as an operator would set them.
    ...envFromSettings(
      fakeSettings(
        { twitter, facebook, smtp },
        {
          channels: {
            mastodon: { accessToken: DEFAULT_MASTODON_ACCOUNT.token, apiUrl: mastodon.url },
            bluesky: {
              identifier: DEFAULT_BLUESKY_ACCOUNT.handle,
              appPassword: DEFAULT_BLUESKY_ACCOUNT.password,
              apiUrl: bluesky.url,
            },
            linkedin: {
              organizationId: DEFAULT_LINKEDIN_ORGANIZATION.id,
              accessToken: DEFAULT_LINKEDIN_ORGANIZATION.token,
              apiUrl: linkedin.url,
            },
          },
        },
      ),
    ),
    HERALD_CONFIG: '',
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: options.redisUrl,
    DATABASE_URL: options.databaseUrl,
    HERALD_DATA_DIR: dataDir,
    HERALD_QUEUE_PREFIX: '{herald}',
    HERALD_API_TOKEN: API_TOKEN,
    HERALD_PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
    HERALD_LOCK_MS: '4000',
    HERALD_DELIVERY_BACKOFF_MS: '300',
    HERALD_DELIVERY_CONCURRENCY: '8',
    HERALD_RECONCILE_EVERY_MS: '3000',
    HERALD_CHANNEL_TIMEOUT_MS: '3000',
    HERALD_FEED_LIMIT: '500',
    HERALD_FEED_REBUILD_INTERVAL_MS: '500',
    ...options.env,
  };
  const copies: Record<Role, number> = { publish: 1, channel: 2, newsletter: 2, ...options.copies };
  const spawnRole = (role: Role) => spawnHerald(['worker', ...ROLES[role]], env);
  const apiProcess = spawnHerald(['api'], env);
  const workers = new Map<Role, HeraldProcess[]>();
  for (const role of Object.keys(ROLES) as Role[])
    workers.set(
      role,
      Array.from({ length: copies[role] }, () => spawnRole(role)),
    );
  const store = openStore(options.databaseUrl, dataDir);
  const apiUrl = `http://127.0.0.1:${port}`;
  const exited: HeraldProcess[] = [];

  const cluster: Cluster = {
    apiUrl,
    redisUrl: options.redisUrl,
    twitter,
    facebook,
    mastodon,
    bluesky,
    linkedin,
    smtp,
    store,
    workers,
    async api(method, url, body) {
      const response = await fetch(apiUrl + url, {
        method,
        headers: {
          authorization: `Bearer ${API_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await response.text();
      return { status: response.status, text, json: () => JSON.parse(text) };
    },
    async killAndReplace(role, index = 0) {
      const list = workers.get(role)!;
      const victim = list[index % list.length]!;
      victim.kill('SIGKILL');
      await waitForExit(victim);
      exited.push(victim);
      list[index % list.length] = spawnRole(role);
    },
    signal(role, index, signal) {
      workers.get(role)![index]!.kill(signal);
    },
    logs() {
      const all = [
        ['api', apiProcess] as const,
        ...[...workers].flatMap(([role, list]) => list.map((p, i) => [`${role}#${i}`, p] as const)),
      ];
      return all
        .map(
          ([name, p]) =>
            `--- ${name} (exit ${p.exitCode ?? p.signalCode ?? 'running'})\n${p.output().slice(-1500)}`,
        )
        .join('\n');
    },
    async close() {
      const running = [apiProcess, ...[...workers.values()].flat()];
      for (const p of running) {
        p.kill('SIGCONT');
        p.kill('SIGTERM');
      }
      await Promise.all(running.map((p) => waitForExit(p, 15_000).catch(() => p.kill('SIGKILL'))));
      await store.close();
      await Promise.all([
        twitter.close(),
        facebook.close(),
        mastodon.close(),
        bluesky.close(),
        linkedin.close(),
        smtp.close(),
      ]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  // A cluster that never came up still has its processes and servers running: close them before failing.
  await waitUntilUp(cluster, apiProcess).catch(async (error: unknown) => {
    await cluster.close();
    throw error;
  });
  return cluster;
}

/** Up is what is waited for; the limit is generous because a loaded machine starts six processes slowly. */
const START_LIMIT_MS = 120_000;

async function waitUntilUp(cluster: Cluster, apiProcess: HeraldProcess): Promise<void> {
  const deadline = Date.now() + START_LIMIT_MS;
  while (Date.now() < deadline) {
    if (apiProcess.exitCode !== null) throw new Error(`herald api exited: ${apiProcess.output()}`);
    const ok = await fetch(`${cluster.apiUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`herald api did not answer /healthz within ${START_LIMIT_MS / 1000} s\n${cluster.logs()}`);
}
