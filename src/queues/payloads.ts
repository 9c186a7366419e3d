import { z } from 'zod';

// Jobs carry ids only: the worker re-reads the database, which is the system of record.
export const deliveryJobSchema = z.strictObject({ deliveryId: z.string().regex(/^dlv_[0-9a-f]{32}$/) });
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

export const publishJobSchema = z.strictObject({
  itemId: z.string().regex(/^itm_[0-9a-f]{32}$/),
  scheduleToken: z.string().min(1),
});
export type PublishJob = z.infer<typeof publishJobSchema>;

export const maintenanceJobSchema = z.strictObject({ task: z.enum(['reconcile', 'check-accounts']) });
export type MaintenanceJob = z.infer<typeof maintenanceJobSchema>;
