import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainDate } from '../../../../src/domain/plain-time.js';
import { addUser, Client, startWebApp, type WebApp } from '../../../helpers/web.js';

const DAY = 86_400_000;
const TOKEN = 'AQXfakelinkedintoken0001';

describe('Channels page: days until a LinkedIn token expires, when the configuration says', () => {
  let web: WebApp;
  let admin: Client;
  const soon = new Date(Date.now() + 12 * DAY - 60_000);
  const past = new Date(Date.now() - 2 * DAY);

  beforeAll(async () => {
    const account = (id: string, tokenExpiresAt?: Date) => ({
      id,
      platform: 'linkedin',
      apiUrl: 'http://127.0.0.1:9',
      credentials: {
        organizationId: '2414183',
        accessToken: TOKEN,
        ...(tokenExpiresAt && { tokenExpiresAt: tokenExpiresAt.toISOString() }),
      },
    });
    web = await startWebApp('sqlite', {
      channels: { accounts: [account('li-soon', soon), account('li-past', past), account('li-unknown')] },
    });
    await addUser(web.app, 'root@example.org', 'admin');
    admin = new Client(web.http, '10.5.0.1');
    await admin.signIn('root@example.org');
  });
  afterAll(async () => web?.close());

  const row = (html: string, id: string) =>
    /<tr data-account="([^"]+)">[\s\S]*?<\/tr>/g.exec(
      html.slice(html.indexOf(`data-account="${id}"`) - 20),
    )?.[0] ?? '';

  it('shows the days left, or that it expired, and nothing when unknown; never the token', async () => {
    const html = (await admin.get('/channels')).body;
    expect(row(html, 'li-soon')).toContain(`Token expires in 12 days (${plainDate(soon)}).`);
    expect(row(html, 'li-past')).toContain(`Token expired on ${plainDate(past)}: put a new one in place.`);
    expect(row(html, 'li-unknown')).not.toContain('data-token-expiry');
    expect(html).not.toContain(TOKEN);
  });
});
