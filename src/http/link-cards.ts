import type { NewsItem } from '../domain/item.js';
import { isEmptyMetadata, type PageReader, type PageReading } from '../net/link-card.js';

/** The card a platform draws under a post for its link, as Herald read it from the page. */
export interface LinkCard {
  url: string;
  title: string | null;
  description: string | null;
  image: string | null;
  siteName: string | null;
  /** The page has no og: (or other) tags: the item's own title, summary and picture stand in. */
  fromItem: boolean;
}

interface CardPlace {
  link: string | null;
  image: unknown;
  linkMissing?: boolean;
}

export interface WithLinkCard {
  linkCard: LinkCard | null;
  /** Why the page could not be read, in plain words; null when it was (or no card is shown). */
  linkCardProblem: string | null;
}

function cardOf(url: string, reading: PageReading, item: NewsItem): LinkCard | null {
  if (!reading.metadata) return null;
  if (!isEmptyMetadata(reading.metadata)) return { url, ...reading.metadata, fromItem: false };
  return {
    url,
    title: item.title || null,
    description: item.summary || null,
    image: item.imageUrl,
    siteName: reading.metadata.siteName,
    fromItem: true,
  };
}

/**
 * Adds the link card each post would show: every platform draws one under a post that carries a link and
 * no picture of its own (a post with a picture shows the picture, the link stays in the text); a hand-written
 * text that leaves the link out gets none. The page is
 * read once per preview (and kept by the reader); `readable` is false when the item's address is not valid yet.
 */
export async function withLinkCards<P extends CardPlace>(
  posts: P[],
  item: NewsItem,
  reader: PageReader,
  readable = true,
): Promise<(P & WithLinkCard)[]> {
  const shows = (p: P) => Boolean(p.link && !p.image && !p.linkMissing);
  const wanting = readable && posts.some(shows);
  const reading = wanting ? await reader.read(item.url) : null;
  return posts.map((post) => {
    if (!reading || !shows(post)) return { ...post, linkCard: null, linkCardProblem: null };
    return {
      ...post,
      linkCard: cardOf(post.link!, reading, item),
      linkCardProblem: reading.problem && `Could not read the page for its link card: ${reading.problem}.`,
    };
  });
}
