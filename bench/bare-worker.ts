// The baseline: a BullMQ worker that does no work at all, in its own process. It keeps completed jobs
// as Herald's delivery jobs do (the last 10,000), so both pay the same trimming.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const [queueName, prefix, concurrency] = process.argv.slice(2);
const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: null,
});
const worker = new Worker(queueName!, async () => null, {
  connection,
  prefix,
  concurrency: Number(concurrency ?? 8),
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
});
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
