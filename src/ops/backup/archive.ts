// A backup archive: a gzip-compressed tar of a staging folder whose manifest lists every file with its size
// and SHA-256. Reading checks the whole archive before anything is used.
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { BackupError } from './errors.js';
import { MANIFEST_FILE, describeFiles, listFiles, manifestSchema, type Manifest } from './manifest.js';

/** Packs `staging` into `file` (mode 0600: it holds secrets), written under a temporary name then renamed. */
export async function packArchive(staging: string, file: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await tar.c(
      { file: temp, gzip: true, cwd: staging, portable: true, mode: 0o600 },
      await listFiles(staging),
    );
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Unpacks `file` into the empty folder `into` and checks it against its manifest: a damaged, truncated or
 * foreign archive is refused with a BackupError saying so, before anything is restored.
 */
export async function unpackArchive(file: string, into: string): Promise<Manifest> {
  const damaged = (why: string) =>
    new BackupError(`${file} is damaged or is not a Herald backup (${why}); nothing was restored`);
  try {
    await tar.x({
      file,
      cwd: into,
      strict: true,
      preservePaths: false,
      filter: (_p, entry) => 'type' in entry && (entry.type === 'File' || entry.type === 'Directory'),
    });
  } catch (error) {
    throw damaged((error as Error).message);
  }
  let manifest: Manifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(await readFile(path.join(into, MANIFEST_FILE), 'utf8')));
  } catch (error) {
    throw damaged(`no readable ${MANIFEST_FILE}: ${(error as Error).message.split('\n')[0]}`);
  }
  const present = (await listFiles(into)).filter((f) => f !== MANIFEST_FILE);
  const listed = manifest.files.map((f) => f.path).sort();
  if (present.join('\n') !== listed.join('\n')) throw damaged('the files do not match its manifest');
  const actual = await describeFiles(into, present);
  const expected = new Map(manifest.files.map((f) => [f.path, f]));
  for (const found of actual) {
    const want = expected.get(found.path)!;
    if (want.size !== found.size || want.sha256 !== found.sha256)
      throw damaged(`${found.path} does not match its checksum`);
  }
  return manifest;
}
