// Publishing an item as staff would, for tests that drive load: a refusal because Redis was slow to answer
// (a busy machine) changes nothing, so it is tried again.
import type { Context } from '../../src/app/context.js';
import { createItem } from '../../src/app/items.js';
import { requestPublish } from '../../src/app/publishing.js';
import { UnavailableError } from '../../src/domain/errors.js';
import { sampleItem, waitFor } from './app.js';

export async function publishSample(
  ctx: Context,
  n: number,
  options: { announce?: boolean } = {},
): Promise<string> {
  const item = await createItem(ctx.store, sampleItem(n), 'test');
  await waitFor(
    async () => {
      try {
        return await requestPublish(ctx, item.id, { actor: 'test', announce: options.announce });
      } catch (error) {
        if (error instanceof UnavailableError) return null;
        throw error;
      }
    },
    20_000,
    `item ${n} published`,
  );
  return item.id;
}
