import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Each part of src/ and the level it sits at: a module may import from its own level or lower ones,
 * never from a higher one (type-only imports included: they couple as much). The order follows
 * DEVELOPERS.md: domain < store < queues/channels < app < http/cli, with the other parts placed where
 * their imports put them.
 */
const LEVELS: Record<string, number> = {
  domain: 0,
  'lazy-module.ts': 0,
  store: 1,
  redis: 1,
  net: 1,
  'log.ts': 1,
  'log-redact.ts': 1,
  'ops/version.ts': 1,
  'ops/file-modes.ts': 1,
  channels: 2,
  // Uploaded pictures: decoding (sharp) and the file store.
  media: 2,
  // Configuration reads the platform table (credential keys, environment variables).
  config: 3,
  queues: 3,
  feed: 3,
  newsletter: 4,
  // The recording side of metrics sits under app/context, which creates the registry.
  'ops/metrics': 4,
  app: 5,
  ingest: 6,
  ops: 6,
  http: 7,
  cli: 7,
  'main.ts': 7,
  'launch.ts': 7,
};

/** The most specific part a file belongs to (src/ops/metrics/x.ts -> ops/metrics). */
function partOf(file: string): string {
  const rel = path.relative('src', file).split(path.sep).join('/');
  const parts = rel.split('/');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('/');
    if (candidate in LEVELS) return candidate;
  }
  throw new Error(`${file}: no level in tests/unit/layering.test.ts`);
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

function relativeImports(text: string): string[] {
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?\bfrom\s+'(\.[^']+)'/g)].map((m) => m[1]!);
}

describe('layering', () => {
  it('every file of src/ has a level', () => {
    expect(() => files('src').forEach(partOf)).not.toThrow();
  });

  it('no import runs from a lower level to a higher one', () => {
    const upward = files('src').flatMap((file) => {
      const from = partOf(file);
      return relativeImports(readFileSync(file, 'utf8'))
        .map((spec) => path.join(path.dirname(file), spec).replace(/\.js$/, '.ts'))
        .filter((target) => target.startsWith(`src${path.sep}`))
        .filter((target) => LEVELS[partOf(target)]! > LEVELS[from]!)
        .map((target) => `${file} (${from}) imports ${target} (${partOf(target)})`);
    });
    expect(upward).toEqual([]);
  });
});
