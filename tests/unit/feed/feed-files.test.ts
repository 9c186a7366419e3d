import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeedFileReader, etagOf, notModified, type FeedFile } from '../../../src/feed/feed-files.js';
import { writeFileAtomic } from '../../../src/feed/write-atomic.js';
import { maskUrl } from '../../../src/ingest/source-status.js';

const file = (etag: string, lastModified: string): FeedFile => ({
  body: Buffer.from('x'),
  etag,
  lastModified: new Date(lastModified),
});

describe('conditional requests', () => {
  const f = file('"abc"', '2026-03-02T10:00:00.500Z');

  it('If-None-Match: strong and weak forms, lists and * match; another tag does not', () => {
    expect(notModified(f, '"abc"', undefined)).toBe(true);
    expect(notModified(f, 'W/"abc"', undefined)).toBe(true);
    expect(notModified(f, '"x", "abc"', undefined)).toBe(true);
    expect(notModified(f, '*', undefined)).toBe(true);
    expect(notModified(f, '"abcd"', undefined)).toBe(false);
    expect(notModified(f, '', undefined)).toBe(false);
  });

  it('If-Modified-Since compares to the second; If-None-Match wins when both are sent', () => {
    expect(notModified(f, undefined, 'Mon, 02 Mar 2026 10:00:00 GMT')).toBe(true);
    expect(notModified(f, undefined, 'Mon, 02 Mar 2026 10:00:01 GMT')).toBe(true);
    expect(notModified(f, undefined, 'Mon, 02 Mar 2026 09:59:59 GMT')).toBe(false);
    expect(notModified(f, undefined, 'not a date')).toBe(false);
    expect(notModified(f, '"other"', 'Mon, 02 Mar 2026 10:00:01 GMT')).toBe(false);
    expect(notModified(f, undefined, undefined)).toBe(false);
  });

  it('the ETag is a strong hash of the bytes', () => {
    expect(etagOf(Buffer.from('a'))).toBe(etagOf(Buffer.from('a')));
    expect(etagOf(Buffer.from('a'))).not.toBe(etagOf(Buffer.from('b')));
    expect(etagOf(Buffer.from('a'))).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
  });
});

describe('FeedFileReader', () => {
  it('serves a file, the same object while unchanged, the new bytes and ETag after an atomic replace; null when missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-files-'));
    const path = join(dir, 'rss.xml');
    const reader = new FeedFileReader();
    expect(await reader.read(path)).toBeNull();
    expect(await reader.read(join(dir, 'nope', 'rss.xml'))).toBeNull();
    writeFileSync(path, 'one');
    const first = await reader.read(path);
    expect(first?.body.toString()).toBe('one');
    expect(await reader.read(path)).toBe(first);
    await writeFileAtomic(path, 'two'); // same size, new inode
    const second = await reader.read(path);
    expect(second?.body.toString()).toBe('two');
    expect(second?.etag).not.toBe(first?.etag);
  });

  it('keeps at most its byte budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-files-'));
    const reader = new FeedFileReader(10);
    for (const name of ['a', 'b', 'c']) writeFileSync(join(dir, name), '12345');
    const a = await reader.read(join(dir, 'a'));
    await reader.read(join(dir, 'b'));
    await reader.read(join(dir, 'c')); // a is evicted
    expect(await reader.read(join(dir, 'a'))).not.toBe(a);
    expect((await reader.read(join(dir, 'a')))?.body.toString()).toBe('12345');
  });
});

describe('maskUrl', () => {
  it('hides passwords and key-like query values, keeps the rest', () => {
    expect(maskUrl('https://user:s3cret@example.org/feed?token=abc&page=2&api_key=k')).toBe(
      'https://user:***@example.org/feed?token=***&page=2&api_key=***',
    );
    expect(maskUrl('https://example.org/rss.xml')).toBe('https://example.org/rss.xml');
    expect(maskUrl('not a url')).toBe('(invalid URL)');
  });
});
