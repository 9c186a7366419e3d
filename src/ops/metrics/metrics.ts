import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeliveryKind } from '../../domain/delivery.js';
import type { DeliveryEvent, Telemetry } from '../../queues/telemetry.js';
import { heraldVersion } from '../version.js';
import { sqliteBusyRetries } from '../../store/db.js';
import { registerClusterGauges, type ClusterSources } from './cluster-gauges.js';

export interface MetricsOptions extends ClusterSources {
  /** The platform of a delivery's target (channel deliveries: the account's platform). */
  platformOf(kind: DeliveryKind, target: string): string;
  /** Configured newsletter send rate (messages per second across every worker). */
  newsletterRateLimit: number;
}

/** Seconds: a post takes 0.1-10 s; a scheduled or retried delivery may come hours after its publishing. */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const LATENCY_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * This process's Prometheus series. Counters and histograms count what this process did (every process
 * exports its own; Prometheus adds them up); queue depths and database counts describe the installation.
 */
export class HeraldMetrics implements Telemetry {
  readonly registry = new Registry();
  private processMetrics = false;
  private readonly deliveries = new Counter({
    name: 'herald_deliveries_total',
    help: 'Delivery attempts by kind, platform and outcome (done, failed, retried, rate_limited, held)',
    labelNames: ['kind', 'platform', 'outcome'],
    registers: [this.registry],
  });
  private readonly deliverySeconds = new Histogram({
    name: 'herald_delivery_duration_seconds',
    help: 'How long one delivery attempt ran',
    labelNames: ['kind', 'platform'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly publishLatency = new Histogram({
    name: 'herald_publish_to_delivery_seconds',
    help: 'From publishing (the delivery was planned) to the delivery being done',
    labelNames: ['kind', 'platform'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly rateLimitWaits = new Counter({
    name: 'herald_rate_limit_waits_total',
    help: 'Jobs that waited for an account rate limit to reset',
    labelNames: ['account'],
    registers: [this.registry],
  });
  private readonly rateLimitSeconds = new Counter({
    name: 'herald_rate_limit_wait_seconds_total',
    help: 'Time jobs were told to wait for account rate limits',
    labelNames: ['account'],
    registers: [this.registry],
  });
  private readonly restored = new Counter({
    name: 'herald_reconciler_restored_jobs_total',
    help: 'Jobs the reconciler re-added because Redis did not have them',
    labelNames: ['what'],
    registers: [this.registry],
  });
  private readonly newsletterMessages = new Counter({
    name: 'herald_newsletter_messages_total',
    help: 'Newsletter message attempts by outcome (sent, bounced, failed, deferred, skipped, unknown)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly httpSeconds = new Histogram({
    name: 'herald_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  constructor(private readonly options: MetricsOptions) {
    new Gauge({
      name: 'herald_build_info',
      help: 'Herald version of this process (value 1)',
      labelNames: ['version'],
      registers: [this.registry],
    }).set({ version: heraldVersion() }, 1);
    new Gauge({
      name: 'herald_newsletter_send_rate_limit',
      help: 'Configured newsletter messages per second across every worker; the actual rate is rate(herald_newsletter_messages_total{outcome="sent"}[5m])',
      registers: [this.registry],
    }).set(options.newsletterRateLimit);
    new Counter({
      name: 'herald_sqlite_busy_retries_total',
      help: 'SQL statements this process tried again because another process held the SQLite write lock',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(sqliteBusyRetries());
      },
    });
    for (const what of ['delivery', 'schedule']) this.restored.inc({ what }, 0);
    registerClusterGauges(this.registry, options);
  }

  delivery(event: DeliveryEvent): void {
    const labels = { kind: event.kind, platform: this.options.platformOf(event.kind, event.target) };
    this.deliveries.inc({ ...labels, outcome: event.outcome });
    this.deliverySeconds.observe(labels, event.seconds);
    if (event.sincePublishedSeconds !== undefined)
      this.publishLatency.observe(labels, event.sincePublishedSeconds);
  }

  rateLimitWait(gateKey: string, waitMs: number): void {
    const account = gateKey.replace(/^account:/, '');
    this.rateLimitWaits.inc({ account });
    this.rateLimitSeconds.inc({ account }, Math.max(0, waitMs) / 1_000);
  }

  jobsRestored(what: 'delivery' | 'schedule', count: number): void {
    this.restored.inc({ what }, count);
  }

  newsletterMessage(outcome: string): void {
    this.newsletterMessages.inc({ outcome });
  }

  /** `route` is the route's pattern (`/api/items/:id`), never the requested URL. */
  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpSeconds.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  /** The text exposition; process metrics (CPU, memory, event loop, GC) are collected from the first scrape on. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    if (!this.processMetrics) {
      collectDefaultMetrics({ register: this.registry });
      this.processMetrics = true;
    }
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
