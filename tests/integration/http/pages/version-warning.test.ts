// "Needs attention" warns 90 days before the end of the Graph version in use (default v26.0, end date from the
// default `apiVersions` table), checked with a fake clock.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { addUser, Client, startWebApp, type WebApp } from '../../../helpers/web.js';

const PAGE_TOKEN = 'EAAfakeversionwarningtoken0001';

describe('Needs attention: a platform API version that ends soon', () => {
  let web: WebApp;
  let admin: Client;

  beforeAll(async () => {
    web = await startWebApp('sqlite', {
      channels: {
        accounts: [
          {
            id: 'fb-main',
            platform: 'facebook',
            name: 'Our Page',
            credentials: { pageId: '1000000001', pageToken: PAGE_TOKEN },
          },
        ],
      },
    });
    await addUser(web.app, 'root@example.org', 'admin');
  });
  afterAll(async () => web?.close());
  afterEach(() => vi.useRealTimers());

  async function dashboardAt(iso: string): Promise<string> {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date(iso) });
    admin = new Client(web.http, '10.6.0.1');
    await admin.signIn('root@example.org');
    return (await admin.get('/')).body;
  }

  it('says nothing 91 days before the end of v26.0 (2028-07-14)', async () => {
    const html = await dashboardAt('2028-04-14T09:00:00Z');
    expect(html).not.toContain('Platform API versions ending');
  });

  it('warns 90 days before, naming the version, the date and the setting; never the token', async () => {
    const html = await dashboardAt('2028-04-15T09:00:00Z');
    expect(html).toContain('Platform API versions ending');
    expect(html).toContain(
      'API version v26.0 ends on 2028-07-14 (in 90 days): set FACEBOOK_GRAPH_URL to a newer version.',
    );
    expect(html).not.toContain(PAGE_TOKEN);
  });

  it('says it has ended once past the date', async () => {
    const html = await dashboardAt('2028-07-15T09:00:00Z');
    expect(html).toContain('API version v26.0 ended on 2028-07-14');
  });
});
