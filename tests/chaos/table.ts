// The chaos suite's result table, as Markdown (printed, and kept in test-results/chaos.md).
import type { Verdict } from './verdict.js';

export type Counts = Omit<Verdict, 'problems'>;
export type Row = {
  run: number;
  scenario: string;
  faults: string;
  seconds: number;
  /** Which lane ran it, and seconds per phase (start, prepare, inject, traffic, settle, judge, close): chaos.json only. */
  lane?: number;
  phases?: Record<string, number>;
} & Counts;

export const NO_COUNTS: Counts = {
  items: 0,
  messages: 0,
  lost: 0,
  duplicated: 0,
  failedWithReason: 0,
  heldUnknown: 0,
  retried: 0,
};

export function formatTable(rows: Row[]): string {
  const head = [
    'run',
    'scenario',
    'faults injected',
    'items',
    'messages',
    'lost',
    'duplicated',
    'failed, with reason',
    'held: outcome unknown',
    'retried',
    's',
  ];
  const lines = rows.map((r) =>
    [
      r.run,
      r.scenario,
      r.faults,
      r.items,
      r.messages,
      r.lost,
      r.duplicated,
      r.failedWithReason,
      r.heldUnknown,
      r.retried,
      r.seconds,
    ].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}
