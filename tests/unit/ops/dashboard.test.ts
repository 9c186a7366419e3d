// The Grafana dashboard and the alert rules in docs/ only use series Herald exports (docs that drift fail here).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { HeraldMetrics } from '../../../src/ops/metrics/metrics.js';
import type { Queues } from '../../../src/queues/producer.js';
import type { Store } from '../../../src/store/db.js';
import { parseExposition } from '../../helpers/prometheus.js';

const root = path.resolve(import.meta.dirname, '../../..');
const unreachable = () => Promise.reject(new Error('not in this test'));

async function exportedFamilies(): Promise<Map<string, string>> {
  const queues = { get: () => ({ getJobCounts: unreachable }) } as unknown as Queues;
  const store = {
    db: {
      selectFrom: () => {
        throw new Error('not in this test');
      },
    },
  } as unknown as Store;
  const metrics = new HeraldMetrics({ queues, store, platformOf: () => 'twitter', newsletterRateLimit: 10 });
  return parseExposition((await metrics.scrape()).body).types;
}

function seriesIn(expressions: string[]): string[] {
  return [
    ...new Set(
      expressions.flatMap((e) => [...e.matchAll(/\b(?:herald|process|nodejs)_[a-z0-9_]+/g)].map((m) => m[0])),
    ),
  ];
}

function exported(types: Map<string, string>, name: string): boolean {
  if (types.has(name)) return true;
  const base = name.replace(/_(bucket|count|sum)$/, '');
  return base !== name && types.get(base) === 'histogram';
}

describe('docs', () => {
  it('the Grafana dashboard queries only exported series', async () => {
    const dashboard = JSON.parse(
      readFileSync(path.join(root, 'docs/grafana/herald-dashboard.json'), 'utf8'),
    ) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const names = seriesIn(dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)));
    const types = await exportedFamilies();
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !exported(types, n))).toEqual([]);
  });

  it('the alert rules use only exported series', async () => {
    const rules = YAML.parse(readFileSync(path.join(root, 'docs/prometheus/herald-alerts.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'HeraldDeliveriesFailing',
        'HeraldAccountNeedsReconnect',
        'HeraldReconcilerRestoringJobs',
        'HeraldComplaintRateHigh',
      ]),
    );
    const types = await exportedFamilies();
    expect(seriesIn(all.map((r) => r.expr)).filter((n) => !exported(types, n))).toEqual([]);
  });
});
