import { MASTODON_LIMIT, MASTODON_URL_LENGTH, type MastodonLimits } from './compose.js';

/** An instance's limits rarely change: read them again after this long (and after a failed read, at once). */
export const INSTANCE_REFRESH_MS = 60 * 60_000;
/** After a failed refresh, the limits read before are used this long before trying again. */
const RETRY_AFTER_FAILURE_MS = 60_000;

/** The part of GET /api/v2/instance that Herald reads. */
export interface InstanceDocument {
  configuration?: { statuses?: { max_characters?: unknown; characters_reserved_per_url?: unknown } };
}

const positive = (value: unknown, fallback: number) =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;

/** The status limits an instance document gives, Mastodon's defaults (500, URLs 23) where it gives none. */
export function limitsOf(instance: InstanceDocument | null): MastodonLimits {
  const statuses = instance?.configuration?.statuses;
  return {
    maxCharacters: positive(statuses?.max_characters, MASTODON_LIMIT),
    urlLength: positive(statuses?.characters_reserved_per_url, MASTODON_URL_LENGTH),
  };
}

/**
 * One instance's limits, read once and kept for INSTANCE_REFRESH_MS; concurrent readers share one request. When a
 * refresh fails, the limits read before stay in use (the instance is probably just busy); a first read that fails
 * is thrown.
 */
export class InstanceLimits {
  private value: MastodonLimits | undefined;
  private readAt = 0;
  private reading: Promise<MastodonLimits> | undefined;

  constructor(
    private readonly read: () => Promise<InstanceDocument | null>,
    private readonly now: () => Date,
    private readonly refreshMs = INSTANCE_REFRESH_MS,
  ) {}

  /** The limits last read, without waiting; undefined before the first read. */
  known(): MastodonLimits | undefined {
    return this.value;
  }

  get(): Promise<MastodonLimits> {
    if (this.value && this.now().getTime() - this.readAt < this.refreshMs) return Promise.resolve(this.value);
    this.reading ??= this.refresh().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async refresh(): Promise<MastodonLimits> {
    try {
      this.value = limitsOf(await this.read());
      this.readAt = this.now().getTime();
      return this.value;
    } catch (error) {
      if (!this.value) throw error;
      this.readAt = this.now().getTime() - this.refreshMs + RETRY_AFTER_FAILURE_MS;
      return this.value;
    }
  }
}
