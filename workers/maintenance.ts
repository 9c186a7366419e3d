import { Worker } from 'bullmq';
import type { Context } from '../src/app/context.js';
import { maintenanceJobSchema } from '../src/queues/payloads.js';
import { reconcile } from '../src/queues/reconcile.js';
import { checkAccounts } from '../src/app/account-checks.js';
import { workerOptions } from '../src/queues/worker-options.js';
import { installBackupScheduler, runScheduledBackup } from '../src/ops/backup/schedule.js';
import { purgeExpiredRequestKeys } from '../src/store/request-keys.js';

/**
 * The reconciler (every minute, which also sweeps expired request keys), the daily account check and the scheduled backups (HERALD_BACKUP_CRON). The schedulers are re-installed
 * periodically by this process, so even a flushed Redis gets them back without a restart.
 */
export function startMaintenanceWorker(ctx: Context): { worker: Worker; stop(): void } {
  const log = ctx.log.child({ queue: 'maintenance' });
  const worker = new Worker(
    'maintenance',
    async (job) => {
      const { task } = maintenanceJobSchema.parse(job.data);
      if (task === 'reconcile') {
        await purgeExpiredRequestKeys(ctx.store.db); // idempotency keys, webhook ids and form tokens past their time
        return reconcile(ctx);
      }
      if (task === 'backup') return runScheduledBackup(ctx);
      return checkAccounts(ctx);
    },
    workerOptions(ctx, 1),
  );
  const install = () =>
    Promise.all([
      ctx.queues.installSchedulers(ctx.config.delivery.reconcileEveryMs),
      installBackupScheduler(ctx.queues, ctx.config),
    ]).catch((e: Error) => log.warn({ err: e.message }, 'could not install schedulers yet'));
  void install();
  const timer = setInterval(install, Math.min(ctx.config.delivery.reconcileEveryMs, 30_000));
  timer.unref();
  return { worker, stop: () => clearInterval(timer) };
}
