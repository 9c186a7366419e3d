// A worker frozen past its job lock (SIGSTOP, a long pause) must not act once it wakes up if another
// worker has taken its delivery over meanwhile: the claim's attempt number fences it off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { sampleItem, startTestApp, type TestApp } from '../../helpers/app.js';
import { createItem } from '../../../src/app/items.js';
import { requestPublish } from '../../../src/app/publishing.js';
import { makeDeliveryProcessor, type DeliveryHandler } from '../../../src/queues/deliver.js';
import { claimDelivery, getDelivery, listDeliveriesForItem } from '../../../src/store/deliveries.js';

describe('a delivery taken over while its first worker was frozen', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('sqlite');
  });
  afterAll(async () => app?.close());

  async function channelDelivery(n: number): Promise<string> {
    const item = await createItem(app.ctx.store, sampleItem(n), 'test');
    await requestPublish(app.ctx, item.id, { actor: 'test' });
    return (await listDeliveriesForItem(app.ctx.store.db, item.id)).find((d) => d.kind === 'channel')!.id;
  }

  function processorWith(beforeSideEffect: (deliveryId: string) => Promise<void>, sideEffects: string[]) {
    const handler: DeliveryHandler = {
      gateKey: () => null,
      classify: () => ({ kind: 'permanent', message: 'unexpected' }),
      async run({ delivery, ensureClaim }) {
        await beforeSideEffect(delivery.id);
        await ensureClaim();
        sideEffects.push(delivery.id);
        return { remoteId: `post-${delivery.id}`, remoteUrl: null };
      },
    };
    return makeDeliveryProcessor({
      store: app.ctx.store,
      gate: app.ctx.gate,
      log: app.ctx.log,
      handlers: { channel: handler },
      backoffMs: 100,
      lockMs: app.ctx.config.delivery.lockMs,
    });
  }

  const job = (deliveryId: string) =>
    ({ data: { deliveryId }, opts: { attempts: 3 }, attemptsMade: 0 }) as unknown as Job;

  it('does nothing when another worker claimed the delivery after it', async () => {
    const id = await channelDelivery(1);
    const sideEffects: string[] = [];
    const process = processorWith(
      async (deliveryId) => void (await claimDelivery(app.ctx.store.db, deliveryId)),
      sideEffects,
    );
    expect(await process(job(id), 'token')).toEqual({ skipped: 'taken over' });
    expect(sideEffects).toEqual([]);
    // The row is left to the worker that took it over: still running, on its attempt.
    expect(await getDelivery(app.ctx.store.db, id)).toMatchObject({ status: 'running', attempts: 2 });
  });

  it('acts when it still holds the claim', async () => {
    const id = await channelDelivery(2);
    const sideEffects: string[] = [];
    const process = processorWith(async () => undefined, sideEffects);
    expect(await process(job(id), 'token')).toEqual({ remoteId: `post-${id}` });
    expect(sideEffects).toEqual([id]);
    expect(await getDelivery(app.ctx.store.db, id)).toMatchObject({ status: 'done', attempts: 1 });
  });
});
