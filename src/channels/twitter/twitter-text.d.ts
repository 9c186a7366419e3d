// Declarations for the parts of `twitter-text` (3.x, shipped without types) that Herald uses.
declare module 'twitter-text' {
  export interface ParsedTweet {
    /** Length as Twitter counts it: URLs 23, CJK and emoji 2. */
    weightedLength: number;
    valid: boolean;
    permillage: number;
    validRangeStart: number;
    validRangeEnd: number;
    displayRangeStart: number;
    displayRangeEnd: number;
  }

  export interface UrlWithIndices {
    url: string;
    /** UTF-16 offsets [start, end). */
    indices: [number, number];
  }

  interface TwitterText {
    parseTweet(text: string): ParsedTweet;
    extractUrlsWithIndices(
      text: string,
      options?: { extractUrlsWithoutProtocol?: boolean },
    ): UrlWithIndices[];
    isValidHashtag(hashtag: string): boolean;
  }

  const twitterText: TwitterText;
  export default twitterText;
}
