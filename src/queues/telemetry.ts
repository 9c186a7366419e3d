import type { DeliveryKind } from '../domain/delivery.js';

/** How one attempt at a delivery ended, as counted by the metrics. */
export type DeliveryOutcome = 'done' | 'failed' | 'retried' | 'rate_limited' | 'held';

export interface DeliveryEvent {
  kind: DeliveryKind;
  /** Account id (channel deliveries), feed name or newsletter target. */
  target: string;
  outcome: DeliveryOutcome;
  /** How long the attempt ran. */
  seconds: number;
  /** From the delivery's creation (the moment of publishing) to its completion; only for `done`. */
  sincePublishedSeconds?: number;
}

/**
 * What workers report as they go; src/ops/metrics turns it into Prometheus series of this process.
 * Reporting never fails and never waits.
 */
export interface Telemetry {
  delivery(event: DeliveryEvent): void;
  /** A job waits for a rate-limit gate (`account:<id>`) to open. */
  rateLimitWait(gateKey: string, waitMs: number): void;
  /** The reconciler re-added jobs Redis did not have. */
  jobsRestored(what: 'delivery' | 'schedule', count: number): void;
  /** One newsletter message attempt ended (sent, bounced, failed, deferred, skipped, unknown). */
  newsletterMessage(outcome: string): void;
}
