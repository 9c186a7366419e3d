import type { Kysely } from 'kysely';
import type { Database, RemoteImagesTable } from './schema.js';

type Db = Kysely<Database>;
export type RemoteImage = RemoteImagesTable;

export async function findRemoteImages(db: Db, urls: string[]): Promise<Map<string, RemoteImage>> {
  const found = new Map<string, RemoteImage>();
  for (let i = 0; i < urls.length; i += 500) {
    const rows = await db
      .selectFrom('remoteImages')
      .selectAll()
      .where('url', 'in', urls.slice(i, i + 500))
      .execute();
    for (const row of rows) found.set(row.url, row);
  }
  return found;
}

export async function saveRemoteImage(db: Db, image: RemoteImage): Promise<void> {
  await db
    .insertInto('remoteImages')
    .values(image)
    .onConflict((oc) =>
      oc.column('url').doUpdateSet({ type: image.type, bytes: image.bytes, checkedAt: image.checkedAt }),
    )
    .execute();
}
