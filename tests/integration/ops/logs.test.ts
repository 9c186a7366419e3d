// What `herald start` prints: readable lines under a terminal (run in a pseudo-terminal by script(1) from
// util-linux), JSON lines otherwise; the first lines say where it listens, where its data is, which
// channels are live or in dry-run and what to do next; no secret in either form.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../../src/redis/server.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { envFromSettings, fakeSettings } from '../../helpers/fake-env.js';
import { ROOT, spawnHerald, waitForExit } from '../../helpers/processes.js';
import { deletePrefix, TEST_REDIS, uniquePrefix } from '../../helpers/redis.js';
import {
  ACCESS_SECRET,
  APP_KEY,
  APP_SECRET,
  SECRET_KEY,
  startFakes,
  type Fakes,
} from '../../helpers/social.js';
import { DEFAULT_TWITTER_ACCOUNT } from '../../fakes/twitter.js';

const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;
const API_TOKEN = 'api-token-never-logged-0123456789';
const METRICS_TOKEN = 'metrics-token-never-logged-0123';
const SMTP_PASSWORD = 'smtp-password-never-logged';

let fakes: Fakes;
let smtp: FakeSmtp;
const prefix = uniquePrefix('logs');

beforeAll(async () => {
  [fakes, smtp] = await Promise.all([
    startFakes(),
    startFakeSmtp({ auth: { user: 'herald', pass: SMTP_PASSWORD } }),
  ]);
});
afterAll(async () => {
  await Promise.all([fakes?.close(), smtp?.close()]);
  await deletePrefix(prefix);
});

async function environment(): Promise<{ env: NodeJS.ProcessEnv; port: number; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'herald-logs-'));
  const port = await freeLoopbackPort();
  const settings = fakeSettings({ twitter: fakes.twitter, smtp });
  const env = {
    ...process.env,
    ...envFromSettings(settings),
    SMTP_URL: `smtp://herald:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`,
    HERALD_DATA_DIR: dataDir,
    HERALD_QUEUE_PREFIX: prefix,
    REDIS_URL: (TEST_REDIS as { url: string }).url,
    HERALD_API_TOKEN: API_TOKEN,
    HERALD_METRICS_TOKEN: METRICS_TOKEN,
    PORT: String(port),
    HOST: '127.0.0.1',
    HERALD_CONFIG: '',
    LOG_LEVEL: 'info',
    HERALD_LOG_FORMAT: '',
  };
  return { env, port, dataDir };
}

const SECRETS = [
  API_TOKEN,
  METRICS_TOKEN,
  SMTP_PASSWORD,
  SECRET_KEY,
  APP_KEY,
  APP_SECRET,
  ACCESS_SECRET,
  DEFAULT_TWITTER_ACCOUNT.accessToken,
];

/** Uses the running Herald a little (an API call, a scrape, a refused call), stops it with SIGTERM. */
async function exercise(port: number): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  let up = false;
  for (let i = 0; i < 300 && !up; i++) {
    await new Promise((r) => setTimeout(r, 100));
    up = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
  }
  expect(up).toBe(true);
  expect(
    (await fetch(`${base}/api/items`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).status,
  ).toBe(200);
  expect(
    (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status,
  ).toBe(200);
  expect(
    (await fetch(`${base}/api/items`, { headers: { authorization: `Bearer ${SECRET_KEY}` } })).status,
  ).toBe(401);
}

function expectStartLines(output: string, port: number, dataDir: string): void {
  expect(output).toContain(`listening on http://127.0.0.1:${port} (people reach it at https://herald.test)`);
  expect(output).toContain(
    `data in ${dataDir} (database: SQLite ${dataDir}/herald.db; Redis: redis://127.0.0.1:6379`,
  );
  expect(output).toContain('channels live: twitter; dry-run: facebook');
  expect(output).toContain(`newsletters are sent through smtp://herald:***@127.0.0.1:${smtp.port}`);
  expect(output).toContain(
    'next step: create an administrator with `herald users add you@example.org --role admin`, then sign in at https://herald.test/login',
  );
  for (const secret of SECRETS) expect(output, 'a secret in the logs').not.toContain(secret);
}

describe('logs', () => {
  it('are JSON lines when standard output is not a terminal', { timeout: 90_000 }, async () => {
    const { env, port, dataDir } = await environment();
    const child = spawnHerald(['start'], env);
    await exercise(port);
    child.kill('SIGTERM');
    expect(await waitForExit(child, 40_000)).toBe(0);
    const lines = child.output().trim().split('\n');
    const parsed = lines.map((line) => JSON.parse(line) as { msg: string; level: number });
    const messages = parsed.map((l) => l.msg).join('\n');
    expectStartLines(messages, port, dataDir);
    // The start-up lines come first, before any job runs.
    const first = parsed.findIndex((l) => l.msg.startsWith('Herald '));
    expect(parsed.slice(first, first + 6).map((l) => l.msg.split(' ')[0])).toEqual([
      'Herald',
      'workers',
      'data',
      'channels',
      'newsletters',
      'metrics',
    ]);
    expect(messages).toContain('stopped');
  });

  it.skipIf(!hasScript)('are readable lines under a terminal', { timeout: 90_000 }, async () => {
    const { env, port, dataDir } = await environment();
    const command = [process.execPath, '--import', 'tsx', path.join(ROOT, 'src/main.ts'), 'start']
      .map((a) => `'${a}'`)
      .join(' ');
    // script(1) gives the command a pseudo-terminal for its standard output and copies what it prints.
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await exercise(port);
      child.stdin.write('\x03'); // Ctrl-C on the terminal: SIGINT, a graceful stop
      await waitForExit(child, 40_000);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
    const plain = stripVTControlCharacters(output).replace(/\r/g, '');
    expect(plain.length).toBeLessThan(output.replace(/\r/g, '').length); // coloured
    expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Herald \d+\.\d+\.\d+ listening on/m);
    expect(plain).not.toMatch(/^\{"level"/m);
    expectStartLines(plain, port, dataDir);
    expect(plain).toContain('INFO: stopped');
  });
});
