// Newsletter configuration (environment and file) and the settings resolved from it: signing keys,
// sender identity, List-Id, DKIM, branding; secrets never in error messages.
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/load.js';
import { cronProblem } from '../../../src/domain/cron.js';
import { assertReadyToSend, newsletterSettings } from '../../../src/newsletter/settings.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'herald-nlcfg-'));
const load = (env: Record<string, string>, cwd = dir()) =>
  loadConfig({ env: { HERALD_DATA_DIR: path.join(cwd, 'var'), ...env }, cwd });

function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('newsletter configuration', () => {
  it('has working defaults: Monday 09:00 Europe/Paris digest, English, eml outbox, hold unknown outcomes', () => {
    const c = load({}).newsletter;
    expect(c.smtpUrl).toBeUndefined();
    expect(c).toMatchObject({
      poolSize: 5,
      messagesPerSecond: 20,
      defaultLanguage: 'en',
      unknownOutcome: 'hold',
      digest: { enabled: true, cron: '0 9 * * 1', timezone: 'Europe/Paris' },
    });
  });

  it('reads every setting from the environment', () => {
    const c = load({
      SMTP_URL: 'smtps://u:p@mail.example.org:465',
      MAIL_FROM: 'Alliance <news@alliance.example>',
      HERALD_NEWSLETTER_POOL_SIZE: '8',
      HERALD_NEWSLETTER_RATE: '50',
      HERALD_NEWSLETTER_TOKEN_KEYS: `${'a'.repeat(32)}, ${'b'.repeat(40)}`,
      HERALD_DKIM_DOMAIN: 'alliance.example',
      HERALD_DKIM_SELECTOR: 'mail2026',
      HERALD_DKIM_KEY_FILE: '/etc/herald/dkim.pem',
      HERALD_DIGEST_CRON: '30 8 * * 1-5',
      HERALD_DIGEST_TIMEZONE: 'Europe/Lisbon',
      HERALD_DIGEST_ENABLED: 'false',
      HERALD_NEWSLETTER_POSTAL_ADDRESS: 'Rue de la Loi 1',
      HERALD_NEWSLETTER_UNKNOWN_OUTCOME: 'resend',
    }).newsletter;
    expect(c).toMatchObject({
      poolSize: 8,
      messagesPerSecond: 50,
      tokenKeys: ['a'.repeat(32), 'b'.repeat(40)],
      dkim: { domain: 'alliance.example', selector: 'mail2026', keyFile: '/etc/herald/dkim.pem' },
      digest: { enabled: false, cron: '30 8 * * 1-5', timezone: 'Europe/Lisbon' },
      branding: { postalAddress: 'Rue de la Loi 1' },
      unknownOutcome: 'resend',
    });
  });

  it('names each bad value and where it came from, without echoing secrets', () => {
    const found = problems({
      HERALD_DIGEST_CRON: '0 25 * * 1',
      HERALD_DIGEST_TIMEZONE: 'Mars/Olympus',
      HERALD_NEWSLETTER_TOKEN_KEYS: 'short-secret-key',
      HERALD_NEWSLETTER_RATE: '0',
      HERALD_DKIM_DOMAIN: 'alliance.example',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^HERALD_DIGEST_CRON \(newsletter\.digest\.cron\): hour field: "25" is not a valid hour/,
        ),
        expect.stringMatching(
          /^HERALD_DIGEST_TIMEZONE \(newsletter\.digest\.timezone\): must be an IANA time zone/,
        ),
        expect.stringMatching(/newsletter\.tokenKeys.*at least 32 characters/),
        expect.stringMatching(
          /^HERALD_NEWSLETTER_RATE \(newsletter\.messagesPerSecond\): must be greater than 0/,
        ),
        expect.stringMatching(/newsletter\.dkim\.selector/),
      ]),
    );
    expect(found.join('\n')).not.toContain('short-secret-key');
  });

  it('checks cron patterns', () => {
    expect(cronProblem('0 9 * * 1')).toBeNull();
    expect(cronProblem('*/2 * * * * *')).toBeNull();
    expect(cronProblem('0 9 * * MON-FRI')).toBeNull();
    expect(cronProblem('0 9 * *')).toMatch(/5 fields/);
    expect(cronProblem('61 9 * * 1')).toMatch(/minute/);
    expect(cronProblem('0 9 * * 5-1')).toMatch(/backwards/);
  });
});

describe('newsletter settings', () => {
  it('derives the link-signing key from HERALD_SECRET_KEY, and keeps an earlier generated key for verification', () => {
    const cwd = dir();
    const generated = newsletterSettings(load({}, cwd)).tokenKeys;
    expect(generated).toHaveLength(1);
    const file = path.join(cwd, 'var', 'newsletter-token-key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(newsletterSettings(load({}, cwd)).tokenKeys).toEqual(generated); // the same after a restart
    const withSecret = newsletterSettings(
      load({ HERALD_SECRET_KEY: 'a-secret-key-of-enough-length' }, cwd),
    ).tokenKeys;
    expect(withSecret).toHaveLength(2);
    expect(withSecret[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(withSecret[1]).toBe(generated[0]);
  });

  it('resolves the sender, Message-ID host, List-Id and branding defaults', () => {
    const s = newsletterSettings(
      load({
        MAIL_FROM: 'Alliance of Cities <news@alliance.example>',
        HERALD_ORGANISATION: 'Alliance of Cities',
      }),
    );
    expect(s.from).toEqual({ name: 'Alliance of Cities', address: 'news@alliance.example' });
    expect(s.messageIdHost).toBe('alliance.example');
    expect(s.list).toEqual({ id: 'newsletter.alliance.example', name: 'Alliance of Cities newsletter' });
    expect(s.branding).toMatchObject({
      organisationName: 'Alliance of Cities',
      websiteUrl: 'https://example.org',
      logoUrl: undefined,
    });
  });

  it('reads the DKIM key file, and names the file (never its content) when it is unusable', () => {
    const cwd = dir();
    const keyFile = path.join(cwd, 'dkim.pem');
    writeFileSync(keyFile, 'this is not a key but a secret');
    const env = {
      HERALD_DKIM_DOMAIN: 'alliance.example',
      HERALD_DKIM_SELECTOR: 's1',
      HERALD_DKIM_KEY_FILE: keyFile,
    };
    expect(() => newsletterSettings(load(env, cwd))).toThrow(/dkim\.pem is not a PEM private key/);
    try {
      newsletterSettings(load(env, cwd));
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
    }
    expect(() =>
      newsletterSettings(load({ ...env, HERALD_DKIM_KEY_FILE: '/nonexistent/key.pem' }, cwd)),
    ).toThrow(/cannot read \/nonexistent\/key\.pem \(ENOENT\)/);
  });

  it('refuses to send over SMTP without a postal address, or with http links to a public host', () => {
    const smtp = newsletterSettings(
      load({ SMTP_URL: 'smtp://mail.example.org', HERALD_PUBLIC_URL: 'https://herald.example.org' }),
    );
    expect(() => assertReadyToSend(smtp)).toThrow(/postalAddress/);
    const http = newsletterSettings(load({ HERALD_PUBLIC_URL: 'http://herald.example.org' }));
    expect(() => assertReadyToSend(http)).toThrow(/must be https/);
    const local = newsletterSettings(load({}));
    expect(() => assertReadyToSend(local)).not.toThrow(); // .eml outbox on localhost: a fresh install can try it
  });
});
