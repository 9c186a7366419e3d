import { fileName, type Media, type MediaFile } from '../domain/media.js';

const file = (f: MediaFile) => ({
  url: `/media/${fileName(f)}`,
  type: f.type,
  width: f.width,
  height: f.height,
  bytes: f.bytes,
});

/** An upload as the API shows it: the stored original's address and size, its versions, the items using it. */
export function presentMedia(media: Media, usedBy: { id: string; title: string }[]) {
  return {
    id: media.id,
    ...file(media),
    alt: media.alt,
    derivatives: Object.fromEntries(Object.entries(media.derivatives).map(([name, f]) => [name, file(f)])),
    usedBy,
    createdBy: media.createdBy,
    createdAt: media.createdAt,
  };
}
