import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { findDryRunPostByDelivery, recordDryRunPost } from '../../store/dry-run-posts.js';
import type { Channel, Composer, ComposeOptions, PublishContext } from '../adapter.js';
import type { ErrorClass, PublishResult } from '../../domain/delivery-outcome.js';
import type { ChannelAccount } from '../../domain/platform.js';

/**
 * Records the composed post in the database instead of calling the platform. Every account uses it until
 * credentials are configured, so a fresh install shows the whole flow. Idempotent per delivery.
 */
export class DryRunChannel implements Channel {
  readonly capabilities = { update: true, delete: true, thread: true, images: true, altText: true };

  constructor(
    private readonly composer: Composer,
    private readonly db: Kysely<Database>,
    private readonly publicUrl: string,
    private readonly latencyMs = 0,
  ) {}

  get platform() {
    return this.composer.platform;
  }

  compose(item: PublishContext['item'], account: ChannelAccount, options?: ComposeOptions) {
    return this.composer.compose(item, account, options);
  }

  async publish(ctx: PublishContext): Promise<PublishResult> {
    const stored = await recordDryRunPost(this.db, {
      deliveryId: ctx.delivery.id,
      accountId: ctx.account.id,
      itemId: ctx.item.id,
      platform: this.platform,
      action: ctx.delivery.action,
      text: ctx.post.text,
      payload: {
        parts: ctx.post.parts,
        link: ctx.post.link,
        image: ctx.post.image,
        previous: ctx.previous?.remoteId ?? null,
      },
    });
    // Recorded first, answered later: like a platform that accepted the post before its reply reaches us.
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    return { remoteId: stored.id, remoteUrl: `${this.publicUrl}/api/dry-run-posts/${stored.id}` };
  }

  update(ctx: PublishContext & { previous: PublishResult }): Promise<PublishResult> {
    return this.publish(ctx);
  }

  async remove(ctx: PublishContext & { previous: PublishResult }): Promise<void> {
    await this.publish(ctx);
  }

  async findExisting(ctx: PublishContext): Promise<PublishResult | null> {
    const stored = await findDryRunPostByDelivery(this.db, ctx.delivery.id);
    return stored
      ? { remoteId: stored.id, remoteUrl: `${this.publicUrl}/api/dry-run-posts/${stored.id}` }
      : null;
  }

  classifyError(error: unknown): ErrorClass {
    // Only the database can fail here; that is worth retrying.
    return { kind: 'transient', message: `could not record the dry-run post: ${(error as Error).message}` };
  }

  async check(): Promise<{ ok: boolean; reason: string | null }> {
    return { ok: true, reason: null };
  }
}
