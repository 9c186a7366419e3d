// herald doctor against real services: private redis-servers (one configured as in production, one without
// AOF and with an eviction policy), the SMTP, Twitter and Facebook fakes, and a local DNS responder holding
// the DKIM, SPF and DMARC records. Each check is seen passing and failing.
import { chmodSync, existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor, type DoctorOptions } from '../../../src/ops/doctor/doctor.js';
import type { CheckResult } from '../../../src/ops/doctor/result.js';
import { openStore } from '../../../src/store/db.js';
import { migrateToLatest } from '../../../src/store/migrate.js';
import { startFakeDns, type FakeDns } from '../../fakes/dns.js';
import { startFakeSmtp, type FakeSmtp } from '../../fakes/smtp.js';
import { startPrivateRedis, type PrivateRedis } from '../../chaos/services.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { envFromSettings, fakeSettings } from '../../helpers/fake-env.js';
import { spawnHerald, waitForExit } from '../../helpers/processes.js';
import { uniquePrefix } from '../../helpers/redis.js';
import { dkimKeyFile } from '../../helpers/newsletter.js';
import { startFakes, type Fakes } from '../../helpers/social.js';

const hasRedisServer = existsSync('/usr/bin/redis-server') || existsSync('/usr/local/bin/redis-server');
const DOMAIN = 'alliance.example';
const SELECTOR = 'herald';

let production: PrivateRedis;
let careless: PrivateRedis;
let dns: FakeDns;
let smtp: FakeSmtp;
let fakes: Fakes;
let db: TestDatabase;
let dkim: ReturnType<typeof dkimKeyFile>;
let env: NodeJS.ProcessEnv;

const publicKeyOf = (k: typeof dkim) =>
  k.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

beforeAll(async () => {
  if (!hasRedisServer) return;
  [production, careless, dns, smtp, fakes, db] = await Promise.all([
    startPrivateRedis(),
    startPrivateRedis(['--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru']),
    startFakeDns(),
    startFakeSmtp(),
    startFakes(),
    createTestDatabase('sqlite'),
  ]);
  dkim = dkimKeyFile();
  const store = openStore(db.url, db.dataDir);
  await migrateToLatest(store);
  await store.close();
  chmodSync(db.dataDir, 0o700);
  const settings = fakeSettings(
    { ...fakes, smtp },
    {
      newsletter: {
        from: `Alliance <news@${DOMAIN}>`,
        dkim: { domain: DOMAIN, selector: SELECTOR, keyFile: dkim.file },
      },
    },
  );
  env = {
    ...envFromSettings(settings),
    HERALD_DATA_DIR: db.dataDir,
    DATABASE_URL: db.url,
    REDIS_URL: production.url,
    HERALD_QUEUE_PREFIX: uniquePrefix('doctor'),
  };
  healthyDns();
});

afterAll(async () => {
  await Promise.all([
    production?.stop(),
    careless?.stop(),
    dns?.close(),
    smtp?.close(),
    fakes?.close(),
    db?.drop(),
  ]);
});

function healthyDns(): void {
  dns.txt.clear();
  dns.txt.set(`${SELECTOR}._domainkey.${DOMAIN}`, [`v=DKIM1; k=rsa; p=${publicKeyOf(dkim)}`]);
  dns.txt.set(DOMAIN, ['google-site-verification=abc', 'v=spf1 ip4:127.0.0.1 ~all']);
  dns.txt.set(`_dmarc.${DOMAIN}`, [`v=DMARC1; p=quarantine; rua=mailto:dmarc@${DOMAIN}`]);
}

const doctor = (changes: NodeJS.ProcessEnv = {}, options: Partial<DoctorOptions> = {}) =>
  runDoctor({ env: { ...env, ...changes }, cwd: db.dataDir, dnsServers: [dns.server], ...options });

function statusOf(results: CheckResult[], check: string): CheckResult {
  const found = results.find((r) => r.check === check);
  if (!found) throw new Error(`no "${check}" line in ${JSON.stringify(results.map((r) => r.check))}`);
  return found;
}

describe.skipIf(!hasRedisServer)('herald doctor', () => {
  it('passes every check against healthy services', async () => {
    const results = await doctor();
    const notOk = results.filter((r) => r.status !== 'ok');
    expect(notOk).toEqual([]);
    const checks = results.map((r) => r.check);
    for (const check of [
      'configuration',
      'redis',
      'redis persistence',
      'redis eviction',
      'redis memory',
      'clock',
      'database',
      'migrations',
      'data dir',
      'free space',
      'channel twitter',
      'channel facebook',
      'smtp',
      'dkim',
      'spf',
      'dmarc',
    ])
      expect(checks).toContain(check);
    expect(statusOf(results, 'dkim').message).toContain(
      `matches the record at ${SELECTOR}._domainkey.${DOMAIN}`,
    );
    expect(statusOf(results, 'dmarc').message).toContain('policy quarantine');
    expect(dns.questions).toContain(`TXT _dmarc.${DOMAIN}`);
  });

  it('warns about a Redis without AOF and with an eviction policy', async () => {
    const results = await doctor({ REDIS_URL: careless.url });
    expect(statusOf(results, 'redis').status).toBe('ok');
    expect(statusOf(results, 'redis persistence')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('AOF is off'),
      fix: expect.stringContaining('appendonly yes'),
    });
    expect(statusOf(results, 'redis eviction')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('allkeys-lru'),
      fix: expect.stringContaining('noeviction'),
    });
    expect(results.some((r) => r.status === 'error')).toBe(false);
  });

  it('finds a DKIM record holding another key, a missing DMARC record and two SPF records', async () => {
    const other = dkimKeyFile();
    dns.txt.set(`${SELECTOR}._domainkey.${DOMAIN}`, [`v=DKIM1; k=rsa; p=${publicKeyOf(other)}`]);
    dns.txt.delete(`_dmarc.${DOMAIN}`);
    dns.txt.set(DOMAIN, ['v=spf1 ip4:127.0.0.1 ~all', 'v=spf1 include:mail.example ~all']);
    try {
      const results = await doctor();
      expect(statusOf(results, 'dkim')).toMatchObject({
        status: 'error',
        message: expect.stringContaining('holds another key'),
        fix: expect.stringContaining(`p=${publicKeyOf(dkim)}`),
      });
      expect(statusOf(results, 'dmarc')).toMatchObject({
        status: 'error',
        message: `${DOMAIN} has no DMARC record`,
        fix: expect.stringContaining('v=DMARC1; p=none'),
      });
      expect(statusOf(results, 'spf')).toMatchObject({
        status: 'error',
        message: expect.stringContaining('2 SPF records'),
      });
      dns.txt.delete(`${SELECTOR}._domainkey.${DOMAIN}`);
      expect(statusOf(await doctor(), 'dkim')).toMatchObject({
        status: 'error',
        message: expect.stringContaining('no DKIM record'),
      });
    } finally {
      healthyDns();
    }
  });

  it('compares the clock with Redis TIME (a fake clock ahead or behind)', async () => {
    const ahead = await doctor({}, { now: () => Date.now() + 120_000 });
    expect(statusOf(ahead, 'clock')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/12\d\.\d s ahead of Redis's/),
      fix: expect.stringContaining('NTP'),
    });
    const behind = await doctor({}, { now: () => Date.now() - 5_000 });
    expect(statusOf(behind, 'clock')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('behind'),
    });
  });

  it('says what is wrong with the services, the tokens and the data dir', async () => {
    fakes.twitter.revoke();
    chmodSync(db.dataDir, 0o755);
    try {
      const results = await doctor({ SMTP_URL: 'smtp://127.0.0.1:1' });
      expect(statusOf(results, 'smtp')).toMatchObject({
        status: 'error',
        message: expect.stringContaining('ECONNREFUSED'),
      });
      expect(statusOf(results, 'channel twitter')).toMatchObject({
        status: 'error',
        fix: expect.stringContaining('reconnect'),
      });
      expect(statusOf(results, 'channel facebook').status).toBe('ok');
      expect(statusOf(results, 'data dir')).toMatchObject({
        status: 'warn',
        message: expect.stringContaining('mode 755'),
        fix: `chmod 700 ${db.dataDir}`,
      });
    } finally {
      fakes.twitter.reset();
      chmodSync(db.dataDir, 0o700);
    }
    const GiB = 1024 ** 3;
    const nearlyFull = await doctor(
      {},
      { diskSpace: async () => ({ available: 50 * 1024 * 1024, total: 100 * GiB }) },
    );
    expect(statusOf(nearlyFull, 'free space')).toMatchObject({
      status: 'error',
      message: expect.stringContaining('0.0 GiB free (0 %)'),
    });
    const tight = await doctor({}, { diskSpace: async () => ({ available: 3 * GiB, total: 100 * GiB }) });
    expect(statusOf(tight, 'free space')).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('3.0 GiB free (3 %)'),
    });
    const down = await doctor({
      REDIS_URL: 'redis://127.0.0.1:1',
      DATABASE_URL: 'postgres://herald@127.0.0.1:1/herald',
    });
    expect(statusOf(down, 'redis')).toMatchObject({
      status: 'error',
      fix: expect.stringContaining('REDIS_URL'),
    });
    expect(statusOf(down, 'clock').status).toBe('skip');
    expect(statusOf(down, 'database').status).toBe('error');
    expect(statusOf(down, 'channels').status).toBe('skip');
  });

  it('reports pending migrations and an invalid configuration', async () => {
    const fresh = await createTestDatabase('sqlite');
    try {
      const results = await doctor({ DATABASE_URL: fresh.url });
      expect(statusOf(results, 'migrations')).toMatchObject({
        status: 'warn',
        fix: expect.stringContaining('herald migrate'),
      });
    } finally {
      await fresh.drop();
    }
    const invalid = await doctor({ PORT: 'eighty', HERALD_METRICS_PORT: '70000' });
    expect(invalid.filter((r) => r.status === 'error').map((r) => r.message)).toEqual([
      expect.stringContaining('PORT (port)'),
      expect.stringContaining('HERALD_METRICS_PORT (metrics.port)'),
    ]);
    expect(statusOf(invalid, 'everything else').status).toBe('skip');
  });

  it('herald doctor --json exits 1 on an error and 0 on warnings only', { timeout: 60_000 }, async () => {
    const run = async (changes: NodeJS.ProcessEnv) => {
      const child = spawnHerald(['doctor', '--json', '--dns', dns.server], {
        ...process.env,
        ...env,
        HERALD_CONFIG: '',
        LOG_LEVEL: 'warn',
        ...changes,
      });
      const code = await waitForExit(child, 45_000);
      return { code, report: JSON.parse(child.output()) as { ok: boolean; checks: CheckResult[] } };
    };
    const warnings = await run({ REDIS_URL: careless.url });
    expect(warnings.code).toBe(0);
    expect(warnings.report.ok).toBe(true);
    expect(statusOf(warnings.report.checks, 'redis persistence').status).toBe('warn');
    dns.txt.delete(`_dmarc.${DOMAIN}`);
    try {
      const errors = await run({});
      expect(errors.code).toBe(1);
      expect(errors.report.ok).toBe(false);
      expect(statusOf(errors.report.checks, 'dmarc').status).toBe('error');
    } finally {
      healthyDns();
    }
  });
});
