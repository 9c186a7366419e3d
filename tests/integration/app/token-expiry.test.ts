import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { warnExpiringTokens } from '../../../src/app/token-expiry.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { addUser } from '../../helpers/web.js';

const DAY = 86_400_000;
const TOKEN = 'AQXfakelinkedintoken0002';
const EXPIRES = new Date('2027-03-01T09:00:00.000Z');

describe('Token expiry warnings: a mail to the admins a week ahead and again on the day (fake clock)', () => {
  let app: TestApp;
  const mails = () => {
    const dir = path.join(app.ctx.config.dataDir, 'mail');
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    } catch {
      files = [];
    }
    return files.map((f) => readFileSync(path.join(dir, f), 'utf8'));
  };

  beforeAll(async () => {
    app = await startTestApp('sqlite', {
      channels: {
        accounts: [
          {
            id: 'li-org',
            platform: 'linkedin',
            apiUrl: 'http://127.0.0.1:9',
            credentials: {
              organizationId: '2414183',
              accessToken: TOKEN,
              tokenExpiresAt: EXPIRES.toISOString(),
            },
          },
        ],
      },
    });
    await addUser(app, 'root@example.org', 'admin');
    await addUser(app, 'ed@example.org', 'editor');
  });
  afterEach(() => vi.useRealTimers());
  afterAll(async () => app?.close());

  const at = async (msBeforeExpiry: number) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(EXPIRES.getTime() - msBeforeExpiry);
    const sent = await warnExpiringTokens(app.ctx);
    vi.useRealTimers();
    return sent.map((w) => w.stage);
  };

  it('says nothing 8 days ahead, warns once at 7 days, once more on the day, then stays quiet', async () => {
    expect(await at(8 * DAY + 60_000)).toEqual([]);
    expect(await at(7 * DAY + 60_000)).toEqual(['week']);
    expect(await at(6 * DAY)).toEqual([]);
    expect(await at(3_600_000)).toEqual(['day']);
    expect(await at(1_800_000)).toEqual([]);
    const sent = mails();
    expect(sent).toHaveLength(2);
    for (const mail of sent) {
      expect(mail).toContain('root@example.org');
      expect(mail).not.toContain('ed@example.org');
      expect(mail).not.toContain(TOKEN);
    }
    expect(sent.some((m) => m.includes('expires in 7 days'))).toBe(true);
    expect(sent.some((m) => m.includes('expires today'))).toBe(true);
  });
});
