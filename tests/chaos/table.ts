// The chaos suite's result table, as Markdown (printed, and kept in test-results/chaos.md).
export interface Row {
  run: number;
  scenario: string;
  faults: string;
  items: number;
  messages: number;
  lost: number;
  duplicated: number;
  failedWithReason: number;
  heldUnknown: number;
  retried: number;
  seconds: number;
}

export function formatTable(rows: Row[]): string {
  const head = ['run', 'scenario', 'faults injected', 'items', 'messages', 'lost', 'duplicated', 'failed, with reason', 'held: outcome unknown', 'retried', 's'];
  const lines = rows.map((r) => [r.run, r.scenario, r.faults, r.items, r.messages, r.lost, r.duplicated, r.failedWithReason, r.heldUnknown, r.retried, r.seconds].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}
