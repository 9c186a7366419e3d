import type { ErrorClass } from '../domain/delivery-outcome.js';
import type { NewsItem } from '../domain/item.js';
import type { ChannelAccount, PlatformId } from '../domain/platform.js';
import type { ComposeOptions, ComposedPost, Composer, PlatformCapabilities } from './adapter.js';
import type { AccountLookup } from './credentials.js';
import { configuredAccount, withChannelErrors } from './guard.js';

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * What every live adapter shares: its platform, capabilities and composer, the request timeout (default 15 s),
 * the clock, and `guarded`, which turns every failure into a classified ChannelError free of secrets.
 */
export abstract class LiveChannel {
  protected readonly timeoutMs: number;
  protected readonly now: () => Date;

  protected constructor(
    readonly platform: PlatformId,
    readonly capabilities: PlatformCapabilities,
    private readonly composer: Composer,
    private readonly classify: (error: unknown, now: Date) => ErrorClass,
    options: { timeoutMs?: number | undefined; now?: (() => Date) | undefined },
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = options.now ?? (() => new Date());
  }

  compose(item: NewsItem, account: ChannelAccount, options?: ComposeOptions): ComposedPost {
    return this.composer.compose(item, account, options);
  }

  classifyError(error: unknown): ErrorClass {
    return this.classify(error, this.now());
  }

  /**
   * Runs `run` with an account's settings (an `auth` error when it has none, naming `what`, e.g. "LinkedIn
   * credentials are"); every failure leaves as a ChannelError free of the settings' secrets.
   */
  protected withAccount<S, T>(
    accounts: AccountLookup<S>,
    accountId: string,
    what: string,
    secretsOf: (settings: S) => readonly string[],
    run: (settings: S) => Promise<T>,
  ): Promise<T> {
    let secrets: readonly string[] = [];
    return this.guarded(
      () => secrets,
      async () => {
        const settings = await configuredAccount(accounts, accountId, what);
        secrets = secretsOf(settings);
        return run(settings);
      },
    );
  }

  /** Runs `run`; every failure leaves as a ChannelError whose message holds none of `secrets()`. */
  protected guarded<T>(secrets: () => readonly string[], run: () => Promise<T>): Promise<T> {
    return withChannelErrors((error) => this.classifyError(error), secrets, run);
  }
}
