// The watchdog replaces a worker that takes no jobs while jobs wait (what a worker did in the chaos
// suite after Redis was killed and restarted), and never replaces one that is idle, busy or held back
// by the queue's rate limit. Real Redis, a prefix per test.
import { afterEach, describe, expect, it } from 'vitest';
import { Queue, Worker, type Processor } from 'bullmq';
import { createLogger } from '../../../src/log.js';
import { createRedis } from '../../../src/redis/connection.js';
import { WatchedWorker } from '../../../src/queues/worker-watchdog.js';
import { TEST_REDIS, deletePrefix, uniquePrefix } from '../../helpers/redis.js';

const log = createLogger('silent');
const SETTINGS = { everyMs: 60_000, strikes: 2 }; // looks are driven by the test (lookNow)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('worker watchdog', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function setUp() {
    const prefix = uniquePrefix('watchdog');
    const queue = new Queue('q', { connection: createRedis(TEST_REDIS, 'worker'), prefix });
    cleanups.push(async () => {
      await queue.close();
      await deletePrefix(prefix);
    });
    const made: Worker[] = [];
    const makeWorker = (processor: Processor, opts: { concurrency?: number; stuck?: boolean } = {}) => {
      const worker = new Worker('q', processor, {
        connection: createRedis(TEST_REDIS, 'worker'),
        prefix,
        concurrency: opts.concurrency ?? 2,
      });
      // A worker that reconnected but never fetches again: its wait for a job ends only when it closes
      // (as a real blocking command ends when its connection is closed).
      if (opts.stuck)
        Object.assign(worker, {
          waitForJob: () => new Promise((resolve) => worker.once('closing', () => resolve(Infinity))),
        });
      made.push(worker);
      return { worker };
    };
    return { queue, made, makeWorker };
  }

  function watch(make: () => { worker: Worker }, queue: Queue): WatchedWorker {
    const watched = new WatchedWorker(make, queue, log, SETTINGS);
    cleanups.push(() => watched.close(true));
    return watched;
  }

  async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await sleep(50);
    }
  }

  it('replaces a worker that takes no jobs while jobs wait, and the new one runs them', async () => {
    const { queue, made, makeWorker } = setUp();
    const done: string[] = [];
    let first = true;
    const watched = watch(() => {
      const stuck = first;
      first = false;
      return makeWorker(async (job) => void done.push(job.id!), { stuck });
    }, queue);
    await made[0]!.waitUntilReady();
    await sleep(300); // the stuck worker is now waiting forever
    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'j', data: {}, opts: { jobId: `j${n}` } })));
    await sleep(300);
    expect(done).toEqual([]);

    await watched.lookNow(); // strike 1
    expect(watched.current).toBe(made[0]);
    await watched.lookNow(); // strike 2: replaced
    expect(watched.current).toBe(made[1]);
    await until(() => done.length === 3);
    expect(done.sort()).toEqual(['j1', 'j2', 'j3']);
    await until(() => !made[0]!.isRunning()); // the stuck one was closed
  });

  it('leaves alone a worker that is idle, one that is busy, and one held back by the rate limit', async () => {
    const { queue, made, makeWorker } = setUp();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const watched = watch(() => makeWorker(() => gate, { concurrency: 1 }), queue);
    await made[0]!.waitUntilReady();

    // idle, nothing waiting
    for (let i = 0; i < 3; i++) await watched.lookNow();
    expect(made).toHaveLength(1);

    // busy: its one slot holds a job, another waits
    await queue.addBulk([
      { name: 'j', data: {}, opts: { jobId: 'busy-1' } },
      { name: 'j', data: {}, opts: { jobId: 'busy-2' } },
    ]);
    await until(async () => (await queue.getActiveCount()) === 1 && (await queue.getWaitingCount()) === 1);
    for (let i = 0; i < 3; i++) await watched.lookNow();
    expect(made).toHaveLength(1);
    release();
    await until(async () => (await queue.getCompletedCount()) === 2);

    // rate limited: jobs wait because the queue says so
    await queue.rateLimit(30_000);
    await queue.add('j', {}, { jobId: 'limited' });
    for (let i = 0; i < 3; i++) await watched.lookNow();
    expect(made).toHaveLength(1);
    expect(watched.current).toBe(made[0]);
  });

  it('does not count a worker as stuck when it started a job since the last look', async () => {
    const { queue, made, makeWorker } = setUp();
    const watched = watch(() => makeWorker(() => sleep(5)), queue);
    await made[0]!.waitUntilReady();
    await queue.add('j', {}, { jobId: 'a' });
    await until(async () => (await queue.getCompletedCount()) === 1);
    await watched.lookNow();
    await watched.lookNow();
    expect(made).toHaveLength(1);
  });
});
