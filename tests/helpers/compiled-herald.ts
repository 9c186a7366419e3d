// Herald compiled to JavaScript once per test run, for the runs that start many `herald` processes (the
// chaos suite always; the main suite under scripts/test.sh): a process started from JavaScript needs about
// 40 % less CPU to come up than one compiled on the fly by tsx. The same layout as `npm run build` (src/
// and workers/ under one directory), with the templates, node_modules and package.json linked in, so the
// code finds them as it does in dist/. As a vitest global set-up it tells spawnHerald where the copy is.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { COMPILED_HERALD_ENV, ROOT } from './processes.js';

const SOURCES = ['src', 'workers'];
const LINKED = ['node_modules', 'templates', 'package.json'];

function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return typescriptFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Transpiles src/ and workers/ of `root` into `outDir` (types stripped, nothing checked: tsc does that). */
function compileHerald(root: string, outDir: string): void {
  const compilerOptions: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    // ES modules, as package.json's "type": "module" makes them (transpileModule does not read it).
    module: ts.ModuleKind.ES2022,
    esModuleInterop: true,
    verbatimModuleSyntax: true,
    sourceMap: true,
  };
  for (const source of SOURCES)
    for (const file of typescriptFiles(path.join(root, source))) {
      const relative = path.relative(root, file);
      const target = path.join(outDir, relative.replace(/\.ts$/, '.js'));
      const { outputText, sourceMapText } = ts.transpileModule(readFileSync(file, 'utf8'), {
        compilerOptions,
        fileName: file,
      });
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, outputText);
      if (sourceMapText) writeFileSync(`${target}.map`, sourceMapText);
    }
  for (const name of LINKED) symlinkSync(path.join(root, name), path.join(outDir, name));
}

/** Vitest global set-up: compiles into a temporary directory, removed when the run ends. */
export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-compiled-'));
  compileHerald(ROOT, dir);
  process.env[COMPILED_HERALD_ENV] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
