import { Worker } from 'bullmq';
import type { Context } from '../src/app/context.js';
import { maintenanceJobSchema } from '../src/queues/payloads.js';
import { reconcile } from '../src/queues/reconcile.js';
import { checkAccounts } from '../src/app/account-checks.js';
import { warnExpiringTokens } from '../src/app/token-expiry.js';
import { workerOptions } from '../src/queues/worker-options.js';
import { runScheduledBackup } from '../src/ops/backup/schedule.js';
import { installSchedulers, keepInstalled, maintenanceSchedulers } from '../src/queues/schedulers.js';
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
      const results = await checkAccounts(ctx);
      await warnExpiringTokens(ctx); // a week ahead and on the day, mailed to the admins once each
      return results;
    },
    workerOptions(ctx, 1),
  );
  const stop = keepInstalled(
    () => installSchedulers(ctx.queues, 'maintenance', maintenanceSchedulers(ctx.config)),
    ctx.config.delivery.reconcileEveryMs,
    log,
  );
  return { worker, stop };
}
