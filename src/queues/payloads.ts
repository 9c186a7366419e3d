import { z } from 'zod';

// Jobs carry ids only: the worker re-reads the database, which is the system of record.
export const deliveryJobSchema = z.strictObject({ deliveryId: z.string().regex(/^dlv_[0-9a-f]{32}$/) });
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

export const publishJobSchema = z.strictObject({
  itemId: z.string().regex(/^itm_[0-9a-f]{32}$/),
  scheduleToken: z.string().min(1),
});
export type PublishJob = z.infer<typeof publishJobSchema>;

export const maintenanceJobSchema = z.strictObject({
  task: z.enum(['reconcile', 'check-accounts', 'backup']),
});
export type MaintenanceJob = z.infer<typeof maintenanceJobSchema>;

// Newsletter queue (src/newsletter/jobs.ts): one `send` job per recipient row, a delayed `start` per
// scheduled newsletter, and the `digest` and `sweep` schedulers.
export const newsletterSendJobSchema = z.strictObject({
  recipientId: z.string().regex(/^nlr_[0-9a-f]{32}$/),
});
export type NewsletterSendJob = z.infer<typeof newsletterSendJobSchema>;

export const newsletterStartJobSchema = z.strictObject({
  newsletterId: z.string().regex(/^nl_[0-9a-f]{32}$/),
  scheduleToken: z.string().min(1),
});
export type NewsletterStartJob = z.infer<typeof newsletterStartJobSchema>;

export const newsletterTaskJobSchema = z.strictObject({ task: z.enum(['digest', 'sweep', 'bounces']) });
export type NewsletterTaskJob = z.infer<typeof newsletterTaskJobSchema>;

/** Ingest queue: one scheduler per configured website feed; the worker reads the source from its configuration. */
export const ingestJobSchema = z.strictObject({ sourceId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/) });
export type IngestJob = z.infer<typeof ingestJobSchema>;
