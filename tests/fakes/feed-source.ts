// A fake website on 127.0.0.1 whose RSS feed Herald imports: a feed that can change, with ETag and
// Last-Modified (304 on a conditional GET), and one path per failure (500, malformed XML, a server
// that never answers, a redirect loop, a redirect chain).
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeEntry {
  guid: string;
  title: string;
  link?: string;
  html?: string;
  categories?: string[];
  date?: string;
}

export interface FakeFeedSource {
  url(path?: string): string;
  /** Replaces the entries the feed serves (a new ETag follows). */
  setEntries(entries: FakeEntry[]): void;
  /** Makes /feed.xml answer this HTTP status (null: serve the feed again). */
  failWith(status: number | null): void;
  /** Requests to /feed.xml, and how many of them were answered 304. */
  stats: { requests: number; notModified: number; conditional: number };
  close(): Promise<void>;
}

export function rssFor(entries: FakeEntry[]): string {
  const items = entries
    .map(
      (e) => `    <item>
      <title>${escape(e.title)}</title>
      <link>${escape(e.link ?? `https://www.example.org/news/${e.guid}`)}</link>
      <guid isPermaLink="false">${escape(e.guid)}</guid>
      <pubDate>${new Date(e.date ?? '2026-03-02T13:05:00Z').toUTCString()}</pubDate>
      ${(e.categories ?? []).map((c) => `<category>${escape(c)}</category>`).join('')}
      <description><![CDATA[${e.html ?? `<p>About ${e.title}</p>`}]]></description>
    </item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Town website</title>
    <link>https://www.example.org/</link>
    <description>News from the town</description>
    <language>fr</language>
${items}
  </channel>
</rss>
`;
}

const escape = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export async function startFakeFeedSource(initial: FakeEntry[] = []): Promise<FakeFeedSource> {
  let body = rssFor(initial);
  let lastModified = new Date(Date.now() - 60_000).toUTCString();
  const stats = { requests: 0, notModified: 0, conditional: 0 };
  const hanging = new Set<http.ServerResponse>();
  let failure: number | null = null;
  const etag = () => `"${createHash('sha1').update(body).digest('hex')}"`;

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/feed.xml') {
      stats.requests++;
      if (req.headers['if-none-match'] || req.headers['if-modified-since']) stats.conditional++;
      if (failure !== null) {
        res.writeHead(failure, { 'content-type': 'text/plain' }).end('failing on purpose');
        return;
      }
      if (req.headers['if-none-match'] === etag()) {
        stats.notModified++;
        res.writeHead(304, { etag: etag() }).end();
        return;
      }
      res
        .writeHead(200, {
          'content-type': 'application/rss+xml; charset=utf-8',
          etag: etag(),
          'last-modified': lastModified,
        })
        .end(body);
      return;
    }
    if (path === '/broken.xml') {
      res
        .writeHead(200, { 'content-type': 'application/rss+xml' })
        .end(
          '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Broken</title>\n<item><title>x</titel></item></channel></rss>',
        );
      return;
    }
    if (path === '/error') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
      return;
    }
    if (path === '/slow') {
      hanging.add(res); // never answers
      return;
    }
    if (path === '/loop') {
      res.writeHead(302, { location: '/loop' }).end();
      return;
    }
    const hop = /^\/hop\/(\d+)$/.exec(path);
    if (hop) {
      const n = Number(hop[1]);
      res.writeHead(302, { location: n > 0 ? `/hop/${n - 1}` : '/feed.xml' }).end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/feed.xml') => `http://127.0.0.1:${port}${path}`,
    setEntries(entries) {
      body = rssFor(entries);
      lastModified = new Date().toUTCString();
    },
    failWith(status) {
      failure = status;
    },
    stats,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
