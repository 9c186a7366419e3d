import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildFeeds } from '../../../src/feed/build.js';
import { rebuildAllFeeds } from '../../../src/feed/regenerate.js';
import { feedUrls } from '../../../src/feed/variants.js';
import {
  removeStaleTempFiles,
  writeFeedFiles,
  writeFileAtomic,
  writeFileAtomicIfChanged,
  writeFilesAtomicIfChanged,
} from '../../../src/feed/write-atomic.js';
import { makeItem, makeMeta } from '../../helpers/feed-items.js';
import { hostileItems } from '../../helpers/hostile-corpus.js';

const here = dirname(fileURLToPath(import.meta.url));
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'herald-feed-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temp file', async () => {
    const path = join(dir, 'rss.xml');
    await writeFileAtomic(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['rss.xml']);
  });

  it('keeps the previous complete file when the write fails after the temp file is written', async () => {
    const path = join(dir, 'rss.xml');
    await writeFileAtomic(path, 'previous complete feed');
    let tempSeen = '';
    const crash = writeFileAtomic(path, 'next feed', {
      beforeRename: async (temp) => {
        tempSeen = await readFile(temp, 'utf8');
        throw new Error('simulated crash');
      },
    });
    await expect(crash).rejects.toThrow('simulated crash');
    expect(tempSeen).toBe('next feed');
    expect(await readFile(path, 'utf8')).toBe('previous complete feed');
    expect(await readdir(dir)).toEqual(['rss.xml']);
  });

  it('leaves an old or a new complete file when the writing process is killed at any moment', async () => {
    const path = join(dir, 'feed.json');
    const size = 1_000_000;
    await writeFileAtomic(path, 'A'.repeat(size));
    for (let round = 0; round < 4; round++) {
      await runChildAndKill(path, size, 5 + round * 17);
      const content = await readFile(path, 'utf8');
      expect(content.length).toBe(size);
      expect(['A', 'B', 'C']).toContain(content[0]);
      expect(content).toBe(content[0]?.repeat(size));
    }
  }, 60_000);

  it('does not rewrite (nor touch) an unchanged file', async () => {
    const path = join(dir, 'atom.xml');
    expect(await writeFileAtomicIfChanged(path, 'x')).toBe(true);
    const past = new Date('2020-01-01T00:00:00Z');
    await utimes(path, past, past);
    expect(await writeFileAtomicIfChanged(path, 'x')).toBe(false);
    expect((await stat(path)).mtime.getTime()).toBe(past.getTime());
    expect(await writeFileAtomicIfChanged(path, 'y')).toBe(true);
  });

  it('removes stale temp files of feed files only', async () => {
    await writeFile(join(dir, '.rss.xml.123.abc.tmp'), 'partial');
    await writeFile(join(dir, '.feed.json.9.def.tmp'), 'partial');
    await writeFile(join(dir, 'notes.tmp'), 'keep');
    expect(await removeStaleTempFiles(dir, 60_000)).toBe(0); // too recent: may belong to a running writer
    expect(await removeStaleTempFiles(dir, 60_000, Date.now() + 120_000)).toBe(2);
    expect(await readdir(dir)).toEqual(['notes.tmp']);
  });
});

function runChildAndKill(path: string, size: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, '../../helpers/atomic-writer-child.ts'), path, String(size)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited early: ${stderr}`)),
    );
  });
}

describe('feed files', () => {
  it('writes the three files of a variant in its directory', async () => {
    const feeds = buildFeeds([makeItem()], makeMeta());
    expect(await writeFeedFiles(dir, { kind: 'tag', tag: 'sport' }, feeds)).toEqual([
      'tag/sport/rss.xml',
      'tag/sport/atom.xml',
      'tag/sport/feed.json',
    ]);
    expect(await readFile(join(dir, 'tag/sport/rss.xml'), 'utf8')).toBe(feeds.rss);
    expect(await writeFeedFiles(dir, { kind: 'tag', tag: 'sport' }, feeds)).toEqual([]);
    await expect(writeFeedFiles(dir, { kind: 'tag', tag: '../escape' }, feeds)).rejects.toThrow(/not a tag/);
  });

  it('rebuilds every variant and empties the feed of a tag no published item has any more', async () => {
    const metaFor = (variant: Parameters<typeof feedUrls>[1]) =>
      makeMeta({ feedUrls: feedUrls('https://herald.example.org', variant) });
    const sport = makeItem({ title: 'Match', tags: ['sport'], language: 'fr-BE' });
    const other = makeItem({ title: 'Other', tags: [], language: 'en' });
    const first = await rebuildAllFeeds([sport, other], dir, metaFor);
    expect(first.written).toEqual(
      expect.arrayContaining(['rss.xml', 'lang/fr/rss.xml', 'lang/en/feed.json', 'tag/sport/atom.xml']),
    );
    expect(JSON.parse(await readFile(join(dir, 'tag/sport/feed.json'), 'utf8')).items).toHaveLength(1);
    expect(JSON.parse(await readFile(join(dir, 'lang/fr/feed.json'), 'utf8')).feed_url).toBe(
      'https://herald.example.org/feeds/lang/fr/feed.json',
    );

    const second = await rebuildAllFeeds([{ ...sport, status: 'withdrawn' }, other], dir, metaFor);
    expect(second.written).toEqual(
      expect.arrayContaining(['tag/sport/feed.json', 'lang/fr/feed.json', 'rss.xml']),
    );
    expect(second.written).not.toContain('lang/en/feed.json');
    expect(JSON.parse(await readFile(join(dir, 'tag/sport/feed.json'), 'utf8')).items).toEqual([]);
    expect(
      JSON.parse(await readFile(join(dir, 'feed.json'), 'utf8')).items.map((i: { title: string }) => i.title),
    ).toEqual(['Other']);
  });
});

describe('streaming a rebuild page by page', () => {
  it('writes the bytes buildFeeds gives, across page boundaries, hostile text included', async () => {
    const hostile = hostileItems();
    const items = Array.from({ length: 450 }, (_, i) =>
      i < hostile.length
        ? hostile[i]!
        : makeItem({
            title: `Item ${i} & <b>]]></b>`,
            tags: i % 3 ? ['sport'] : [],
            imageUrl: i % 4 ? null : `https://cdn.example.org/${i}.jpg`,
            imageAlt: 'alt',
            imageSize: i % 8 ? undefined : { bytes: 1000 + i, type: 'image/jpeg' },
            publishedAt: new Date(Date.UTC(2026, 4, 1) + (i % 97) * 60_000).toISOString(),
            updatedAt: new Date(Date.UTC(2026, 4, 2) + i * 60_000).toISOString(),
          }),
    );
    const meta = makeMeta({ limit: 1000, hubUrl: 'https://hub.example.org/' });
    await rebuildAllFeeds(items, dir, () => meta);
    const built = buildFeeds(items, meta);
    expect(JSON.parse(built.json).items.length).toBeGreaterThan(400);
    expect(await readFile(join(dir, 'rss.xml'), 'utf8')).toBe(built.rss);
    expect(await readFile(join(dir, 'atom.xml'), 'utf8')).toBe(built.atom);
    expect(await readFile(join(dir, 'feed.json'), 'utf8')).toBe(built.json);
    expect(await readFile(join(dir, 'tag/sport/rss.xml'), 'utf8')).toBe(
      buildFeeds(
        items.filter((item) => item.tags.includes('sport')),
        meta,
      ).rss,
    );
  });

  it('leaves files whose streamed bytes did not change alone (same mtime), and no temp file', async () => {
    const items = [makeItem({ tags: ['sport'] }), makeItem()];
    await rebuildAllFeeds(items, dir, () => makeMeta());
    const old = new Date('2020-01-01T00:00:00Z');
    await utimes(join(dir, 'rss.xml'), old, old);
    expect((await rebuildAllFeeds(items, dir, () => makeMeta())).written).toEqual([]);
    expect((await stat(join(dir, 'rss.xml'))).mtime).toEqual(old);
    expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/\.tmp$/));
  });
});

describe('writing feeds as chunks, and skipping variants whose inputs did not change', () => {
  it('compares chunked content with the file by hash (same size, other bytes) and leaves an equal file alone', async () => {
    expect(await writeFilesAtomicIfChanged(dir, [{ name: 'a.xml', data: ['<a>', 'one', '</a>'] }])).toEqual([
      'a.xml',
    ]);
    expect(await readFile(join(dir, 'a.xml'), 'utf8')).toBe('<a>one</a>');
    expect(await writeFilesAtomicIfChanged(dir, [{ name: 'a.xml', data: ['<a>o', 'ne</a>'] }])).toEqual([]);
    expect(await writeFilesAtomicIfChanged(dir, [{ name: 'a.xml', data: ['<a>two</a>'] }])).toEqual([
      'a.xml',
    ]);
    expect(await readFile(join(dir, 'a.xml'), 'utf8')).toBe('<a>two</a>');
    const big = Array.from({ length: 3000 }, (_, i) => `<i>${i} ${'é'.repeat(500)}</i>`);
    expect(await writeFilesAtomicIfChanged(dir, [{ name: 'big.xml', data: big }])).toEqual(['big.xml']);
    expect(await readFile(join(dir, 'big.xml'), 'utf8')).toBe(big.join(''));
    expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/\.tmp$/));
  });

  it('with stamps, rebuilds only the variants an item change touches, and a variant whose file went missing', async () => {
    const metaFor = (variant: Parameters<typeof feedUrls>[1]) =>
      makeMeta({ feedUrls: feedUrls('https://herald.example.org', variant) });
    const stamp = (item: { id: string; revision: number; updatedAt: string }) =>
      `${item.id}|${item.revision}|${item.updatedAt}`;
    const sport = makeItem({ title: 'Match', tags: ['sport'], language: 'fr' });
    const music = makeItem({ title: 'Concert', tags: ['music'], language: 'en' });
    const first = await rebuildAllFeeds([sport, music], dir, metaFor, { stamp });
    expect(first.written).toHaveLength(5 * 3); // main, fr, en, sport, music
    expect(await rebuildAllFeeds([sport, music], dir, metaFor, { stamp })).toMatchObject({ written: [] });
    const edited = { ...music, title: 'Concert moved', revision: 2, updatedAt: '2026-06-01T00:00:00.000Z' };
    const second = await rebuildAllFeeds([sport, edited], dir, metaFor, { stamp });
    expect(
      second.written
        .map((f) => f.split('/').slice(0, -1).join('/') || '(main)')
        .filter((v, i, all) => all.indexOf(v) === i)
        .sort(),
    ).toEqual(['(main)', 'lang/en', 'tag/music']);
    expect(await readFile(join(dir, 'tag/music/rss.xml'), 'utf8')).toContain('Concert moved');
    await rm(join(dir, 'tag/sport/atom.xml'));
    expect((await rebuildAllFeeds([sport, edited], dir, metaFor, { stamp })).written).toEqual([
      'tag/sport/atom.xml',
    ]);
  });
});
