import type { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';

export interface WatchdogSettings {
  /** How often the queue is looked at. */
  everyMs: number;
  /** Looks in a row that find the worker stuck before it is replaced. */
  strikes: number;
}

const CLOSE_WAIT_MS = 30_000;

export const DEFAULT_WATCHDOG: WatchdogSettings = { everyMs: 10_000, strikes: 3 };

/** A worker as its starter made it, with what must stop along with it (timers, watches). */
export interface StartedWorker {
  worker: Worker;
  stop?: () => void;
}

/** The part of a queue the watchdog reads: jobs ready to run, and the queue's own rate limit. */
export type WatchedQueue = Pick<Queue, 'getWaitingCount' | 'getRateLimitTtl'>;

/**
 * A worker of ours, replaced by a new one when it is stuck.
 *
 * After Redis is killed and restarted, a BullMQ worker can reconnect and yet never fetch a job again
 * while its queue fills up (seen in the chaos suite; BullMQ issues #2964, #3185). The maintainers'
 * advice is to close such a worker and make a new one. Stuck means: jobs are waiting, the queue is
 * not rate limited, this worker has free slots and has started no job since the last look, for
 * `strikes` looks in a row. A worker that is merely idle takes a waiting job within milliseconds,
 * and one that is busy has no free slot, so neither is ever replaced.
 */
export class WatchedWorker {
  private started: StartedWorker;
  private startedSinceLook = 0;
  private strikes = 0;
  private replacing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly make: () => StartedWorker,
    private readonly queue: WatchedQueue,
    private readonly log: Logger,
    private readonly settings: WatchdogSettings = DEFAULT_WATCHDOG,
  ) {
    this.started = this.adopt(make());
    this.timer = setInterval(() => void this.look(), settings.everyMs);
    this.timer.unref();
  }

  get current(): Worker {
    return this.started.worker;
  }

  async close(force = false): Promise<void> {
    clearInterval(this.timer);
    await this.replacing;
    this.started.stop?.();
    await this.current.close(force);
  }

  /** Looks once now instead of waiting for the timer (tests). */
  lookNow(): Promise<void> {
    return this.look();
  }

  private async look(): Promise<void> {
    if (this.replacing || this.current.closing) return;
    const started = this.startedSinceLook;
    this.startedSinceLook = 0;
    if (started > 0 || !(await this.jobsWaitForIt())) {
      this.strikes = 0;
      return;
    }
    if (++this.strikes < this.settings.strikes) return;
    this.strikes = 0;
    this.replacing = this.replace().finally(() => (this.replacing = null));
  }

  private async jobsWaitForIt(): Promise<boolean> {
    const worker = this.current;
    if (worker.isPaused() || !worker.isRunning()) return false;
    if (activeJobs(worker) >= worker.concurrency) return false;
    try {
      const [waiting, limitedFor] = await Promise.all([
        this.queue.getWaitingCount(),
        this.queue.getRateLimitTtl(),
      ]);
      return waiting > 0 && limitedFor <= 0;
    } catch {
      return false; // Redis is away: nothing can be judged, and a new worker would not help
    }
  }

  private async replace(): Promise<void> {
    const stuck = this.started;
    this.log.warn(
      { queue: stuck.worker.name, strikes: this.settings.strikes, everyMs: this.settings.everyMs },
      'worker takes no jobs while jobs wait; replacing it with a new one',
    );
    // The new worker starts first; the old one finishes the jobs it still runs, for up to a lock's time
    // (after that their locks expire and another worker takes them over).
    stuck.stop?.();
    this.started = this.adopt(this.make());
    const finished = stuck.worker.close().then(() => 'closed' as const);
    const late = new Promise<'late'>((r) => setTimeout(() => r('late'), CLOSE_WAIT_MS).unref());
    if ((await Promise.race([finished, late]).catch(() => 'late' as const)) === 'late')
      await stuck.worker.close(true).catch(() => undefined);
  }

  private adopt(started: StartedWorker): StartedWorker {
    started.worker.on('active', () => this.startedSinceLook++);
    return started;
  }
}

/**
 * Jobs this worker is running now. BullMQ keeps the count in its lock manager (locks are renewed for
 * exactly those jobs) and has no public getter for it.
 */
function activeJobs(worker: Worker): number {
  const internals = worker as unknown as { lockManager: { getActiveJobCount(): number } };
  return internals.lockManager.getActiveJobCount();
}
