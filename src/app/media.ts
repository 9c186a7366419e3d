import type { HeraldConfig } from '../config/schema.js';
import { ConflictError } from '../domain/errors.js';
import { fileName, validateAlt, type Media, type MediaFile } from '../domain/media.js';
import type { Store } from '../store/db.js';
import {
  deleteMediaRow,
  fileInUse,
  getMedia,
  insertMedia,
  mediaUses,
  setMediaAlt,
  shownByPublishedItem,
} from '../store/media.js';
import type { Queues } from '../queues/producer.js';
import { dataDirMediaStore, type MediaStore } from '../media/store.js';
import { s3MediaStore } from '../media/s3-store.js';
import { processUpload } from '../media/process.js';

const buckets = new WeakMap<object, MediaStore>();

/** The media store configuration picks: the data dir (`embedded`) or an S3 bucket (one client per configuration). */
export function mediaStoreFor(config: Pick<HeraldConfig, 'dataDir' | 'media'>): MediaStore {
  const { media } = config;
  if (media.store === 'embedded') return dataDirMediaStore(config.dataDir);
  let store = buckets.get(media);
  if (!store) buckets.set(media, (store = s3MediaStore(media.s3)));
  return store;
}

/** Checks, re-encodes and stores an upload with its derivatives; files first, then the row that names them. */
export async function uploadMedia(
  store: Store,
  files: MediaStore,
  upload: { bytes: Buffer; alt: unknown },
  actor: string,
): Promise<Media> {
  const alt = validateAlt(upload.alt);
  const { original, derivatives } = await processUpload(upload.bytes);
  for (const file of [original, ...Object.values(derivatives)])
    await files.put(fileName(file), file.data, file.type);
  const describe = ({ hash, type, width, height, bytes }: MediaFile): MediaFile => ({
    hash,
    type,
    width,
    height,
    bytes,
  });
  return insertMedia(store.db, {
    ...describe(original),
    alt,
    derivatives: Object.fromEntries(Object.entries(derivatives).map(([name, f]) => [name, describe(f)])),
    createdBy: actor,
  });
}

/**
 * Edits an upload's alt text. Posts composed later read it then; the feeds carry it, so when a published item
 * shows the upload the feed worker is asked to rebuild now (the alt text is part of the feeds' fingerprint, so
 * the periodic check also catches up if that request is lost).
 */
export async function editMediaAlt(
  deps: { store: Store; queues: Pick<Queues, 'requestFeedCheck'> },
  id: string,
  alt: unknown,
): Promise<Media> {
  const text = validateAlt(alt);
  await getMedia(deps.store.db, id);
  await setMediaAlt(deps.store.db, id, text);
  if (await shownByPublishedItem(deps.store.db, id)) await deps.queues.requestFeedCheck();
  return getMedia(deps.store.db, id);
}

/** Deletes an upload no item shows; its files go too unless another upload shares them. */
export async function deleteMedia(store: Store, files: MediaStore, id: string): Promise<void> {
  const media = await store.transaction(async (trx) => {
    const found = await getMedia(trx, id);
    const uses = (await mediaUses(trx, [id])).get(id) ?? [];
    if (uses.length > 0) throw inUse(id, uses);
    await deleteMediaRow(trx, id);
    return found;
  });
  for (const file of [media, ...Object.values(media.derivatives)])
    if (!(await fileInUse(store.db, file.hash))) await files.delete(fileName(file));
}

function inUse(id: string, uses: { id: string; title: string }[]): ConflictError {
  return new ConflictError(
    `media ${id} is in use by ${uses.map((u) => `item ${u.id} ("${u.title}")`).join(', ')}: remove it from ${uses.length === 1 ? 'that item' : 'those items'} first`,
    'media_in_use',
  );
}
