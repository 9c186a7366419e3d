/**
 * A least-recently-used string cache bounded by total characters (keys and values), for pure
 * functions of large strings. Not for anything whose result can change for the same key.
 */
export class StringMemo {
  private readonly entries = new Map<string, string>();
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  get(key: string, compute: () => string): string {
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      this.entries.delete(key); // re-insert: Map order is recency order
      this.entries.set(key, cached);
      return cached;
    }
    const value = compute();
    this.set(key, value);
    return value;
  }

  /** Stores (or replaces) a value, evicting the least recently used beyond the size. */
  set(key: string, value: string): void {
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.entries.delete(key);
      this.chars -= key.length + previous.length;
    }
    const size = key.length + value.length;
    if (size > this.maxChars) return;
    this.entries.set(key, value);
    this.chars += size;
    for (const [oldKey, oldValue] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(oldKey);
      this.chars -= oldKey.length + oldValue.length;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
