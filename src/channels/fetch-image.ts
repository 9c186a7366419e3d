import { ChannelError } from './channel.js';

export interface FetchedImage {
  bytes: Buffer;
  /** MIME type, e.g. image/png. */
  type: string;
}

const SUPPORTED = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** Downloads an item's image for upload; problems become ChannelErrors in plain words. */
export async function fetchImage(
  url: string,
  options: { timeoutMs: number; maxBytes: number },
): Promise<FetchedImage> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs), redirect: 'follow' });
  } catch {
    throw new ChannelError({
      kind: 'transient',
      platformCode: 'image_fetch',
      message: "Could not download the item's image: will try again.",
    });
  }
  if (!response.ok) {
    await response.body?.cancel();
    const kind = response.status >= 500 || response.status === 429 ? 'transient' : 'permanent';
    throw new ChannelError({
      kind,
      platformCode: 'image_fetch',
      message: `Could not download the item's image (HTTP ${response.status}): check the image URL.`,
    });
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!SUPPORTED.has(type)) {
    await response.body?.cancel();
    throw new ChannelError({
      kind: 'permanent',
      platformCode: 'image_type',
      message: `The item's image is not a JPEG, PNG, GIF or WebP picture (it is "${type || 'unknown'}").`,
    });
  }
  let bytes: Buffer;
  try {
    bytes = Buffer.from(await response.arrayBuffer());
  } catch {
    throw new ChannelError({
      kind: 'transient',
      platformCode: 'image_fetch',
      message: "The item's image download was cut off: will try again.",
    });
  }
  if (bytes.length > options.maxBytes) {
    const mb = Math.round(options.maxBytes / 1_048_576);
    throw new ChannelError({
      kind: 'permanent',
      platformCode: 'image_size',
      message: `The item's image is larger than ${mb} MB, the platform's limit.`,
    });
  }
  return { bytes, type };
}
