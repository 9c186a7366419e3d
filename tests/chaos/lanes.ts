// Lanes: the chaos suite runs CHAOS_LANES scenarios at once (default 2). Each lane has its own private
// redis-server and PostgreSQL cluster, so a scenario that kills, flushes or crashes them touches no other
// lane; every scenario still gets its own database, data directory, fakes and ports (cluster.ts).
// Most scenarios spend much of their time waiting (an outage, a lock, a platform's rate limit), which
// the other lane's work fills.
import {
  startPrivatePostgres,
  startPrivateRedis,
  type PrivatePostgres,
  type PrivateRedis,
} from './services.js';

export const CHAOS_LANES = Math.max(1, Math.floor(Number(process.env.CHAOS_LANES ?? 2)) || 1);

export interface Lane {
  number: number;
  redis: PrivateRedis;
  postgres: PrivatePostgres | null;
  /** Why this lane has no private PostgreSQL (then the machine's is used, and the crash scenario is skipped). */
  noPostgres: string | null;
}

async function startLane(number: number): Promise<Lane> {
  const [redis, postgres] = await Promise.all([startPrivateRedis(), startPrivatePostgres()]);
  return typeof postgres === 'string'
    ? { number, redis, postgres: null, noPostgres: postgres }
    : { number, redis, postgres, noPostgres: null };
}

export interface LanePool {
  /** Waits for a free lane and holds it until `release`. */
  acquire(): Promise<Lane>;
  release(lane: Lane): void;
  /**
   * Runs `start` (a cluster's start) after any other lane's start has finished: starting six processes is
   * the most CPU-hungry moment of a scenario, so the lanes take turns and their busy phases drift apart.
   */
  oneStartAtATime<T>(start: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export async function startLanes(count: number): Promise<LanePool> {
  const lanes = await Promise.all(Array.from({ length: count }, (_, i) => startLane(i + 1)));
  const free = [...lanes];
  const waiting: Array<(lane: Lane) => void> = [];
  let starting: Promise<unknown> = Promise.resolve();
  return {
    acquire: () => {
      const lane = free.shift();
      return lane ? Promise.resolve(lane) : new Promise((resolve) => waiting.push(resolve));
    },
    release(lane) {
      const next = waiting.shift();
      if (next) next(lane);
      else free.push(lane);
    },
    oneStartAtATime(start) {
      const turn = starting.catch(() => undefined).then(start);
      starting = turn;
      return turn;
    },
    async stop() {
      await Promise.all(lanes.map(async (l) => Promise.all([l.redis.stop(), l.postgres?.stop()])));
    },
  };
}
