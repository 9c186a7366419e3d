import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** The archive's table of contents, at its root. */
export const MANIFEST_FILE = 'herald-backup.json';
/** Where the SQLite copy or the pg_dump goes inside the archive. */
export const SQLITE_COPY = 'database/herald.db';
export const PG_DUMP = 'database/herald.pgdump';
/** The data dir's files go under this folder of the archive. */
export const DATA_FOLDER = 'data';

const fileEntry = z.strictObject({
  path: z.string().min(1),
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.strictObject({
  format: z.literal(1),
  herald: z.string(),
  createdAt: z.string(),
  database: z.strictObject({
    dialect: z.enum(['sqlite', 'postgres']),
    /** The copy in the archive (SQLITE_COPY or PG_DUMP); null when PostgreSQL was not dumped. */
    copy: z.string().nullable(),
    migrations: z.array(z.string()),
    /** Rows per table at the moment of the copy (SQLite: of the copy itself). */
    rows: z.record(z.string(), z.number().int().min(0)),
  }),
  files: z.array(fileEntry),
});
export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = z.infer<typeof fileEntry>;

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** Every regular file under `root`, as archive paths (forward slashes), sorted. */
export async function listFiles(root: string, under = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(path.join(root, under), { withFileTypes: true })) {
    const relative = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...(await listFiles(root, relative)));
    else if (entry.isFile()) found.push(relative);
  }
  return found.sort();
}

export async function describeFiles(root: string, files: string[]): Promise<ManifestFile[]> {
  return Promise.all(
    files.map(async (file) => ({
      path: file,
      size: (await stat(path.join(root, file))).size,
      sha256: await sha256File(path.join(root, file)),
    })),
  );
}
