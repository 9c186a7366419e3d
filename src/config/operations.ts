import { z } from 'zod';
import { cronProblem } from '../domain/cron.js';

const port = z.coerce
  .number()
  .int('must be a whole number')
  .min(1, 'must be 1-65535')
  .max(65535, 'must be 1-65535');
const cron = z.string().superRefine((v, ctx) => {
  const problem = cronProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Prometheus metrics (`GET /metrics`): off unless a token or a loopback port is set. Owned by src/ops/metrics. */
export const metricsConfigSchema = z.strictObject({
  /** Bearer token for `/metrics` on the API's address (and on the metrics port when both are set). */
  token: z.string().min(16, 'must be at least 16 characters').optional(),
  /** A separate listener on 127.0.0.1 serving only `/metrics`: every process (API or worker) that has it exports its own counters. */
  port: port.optional(),
});

/** Scheduled backups (`herald backup` on a cron schedule, keeping the newest N). Owned by src/ops/backup. */
export const backupConfigSchema = z.strictObject({
  /** Cron pattern read in `timezone`; unset = no scheduled backups. */
  cron: cron.optional(),
  /** How many scheduled archives to keep (older ones are deleted after a successful backup). */
  keep: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1-1000')
    .max(1000, 'must be 1-1000')
    .default(7),
  /** Where scheduled archives go; default `<dataDir>/backups`. */
  dir: z.string().min(1).optional(),
});

/** `auto`: human-readable (pino-pretty) when standard output is a terminal, JSON lines otherwise. */
export const logFormatSchema = z
  .enum(['auto', 'json', 'pretty'], { error: 'must be auto, json or pretty' })
  .default('auto');

/** Environment variable -> configuration path. */
export const OPERATIONS_ENV_VARS = {
  HERALD_METRICS_TOKEN: 'metrics.token',
  HERALD_METRICS_PORT: 'metrics.port',
  HERALD_BACKUP_CRON: 'backup.cron',
  HERALD_BACKUP_KEEP: 'backup.keep',
  HERALD_BACKUP_DIR: 'backup.dir',
  HERALD_LOG_FORMAT: 'logFormat',
} as const;
