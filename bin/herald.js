#!/usr/bin/env node
// Runs the compiled CLI. `npm run build` (or `npm start`) produces dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/src/launch.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  console.error('herald: dist/ is missing. Run `npm run build` first (npm start does it for you).');
  process.exit(1);
}
await import(compiled.href);
