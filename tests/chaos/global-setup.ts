// Global set-up of the chaos suite: Herald compiled once for the whole run, so each of the dozens of
// processes a run starts comes up on less CPU (tests/helpers/compiled-herald.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileHerald } from '../helpers/compiled-herald.js';
import { COMPILED_HERALD_ENV, ROOT } from '../helpers/processes.js';

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-compiled-'));
  compileHerald(ROOT, dir);
  process.env[COMPILED_HERALD_ENV] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
