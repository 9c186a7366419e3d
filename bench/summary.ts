// The one shape every benchmark prints its figures in (one JSON line per figure and size), so that
// bench/run-all.ts can collect them, print one table, keep them in bench/results/latest.json and draw
// bench/results/latest.svg; bench/report.ts turns that file into the README's markdown table.
import { fmt, sizeLabel } from './lib.js';

export interface Summary {
  bench: string;
  /** Items, posts or contacts; null for the benches without a size (startup, pages). */
  size: number | null;
  figure: string;
  value: number;
  unit: string;
  /** What the figure is compared with, measured in the same run at the same size. */
  baseline: string | null;
  baselineValue: number | null;
  /** value / baselineValue. */
  ratio: number | null;
  /** Throughput: higher is better (a ratio of 1 = as fast as the baseline); times and memory: lower. */
  better: 'higher' | 'lower';
  /** The bench's headline figure at this size (the one the chart draws). */
  primary?: boolean;
  /** E.g. "100k backlog, first 120 s measured" when the measurement was time-boxed. */
  note?: string;
}

export type SummaryInput = Omit<Summary, 'ratio' | 'baseline' | 'baselineValue'> & {
  baseline?: string | null;
  baselineValue?: number | null;
  /** Given when it is not simply value / baselineValue (e.g. a median of per-round ratios). */
  ratio?: number;
};

/** Prints one summary line (run-all picks up every stdout line that parses as one). */
export function emit(input: SummaryInput): void {
  const baselineValue = input.baselineValue ?? null;
  const ratio = input.ratio ?? (baselineValue ? input.value / baselineValue : null);
  const line: Summary = { ...input, baseline: input.baseline ?? null, baselineValue, ratio };
  console.log(JSON.stringify(line));
}

export function isSummary(value: unknown): value is Summary {
  const v = value as Partial<Summary> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.bench === 'string' &&
    typeof v.figure === 'string' &&
    typeof v.value === 'number'
  );
}

/** Three significant digits at most, grouped: 1,385 / 38.2 / 0.214. */
export function fmtValue(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return fmt(n, digits);
}

/** Throughput ratios as a fraction of the baseline (0.21), times and memory as a multiple (6.3x). */
export function fmtRatio(s: Pick<Summary, 'ratio' | 'better'>): string {
  const r = s.ratio;
  if (r === null || !Number.isFinite(r)) return '';
  // Two significant digits below 1 (0.055, 0.0012x), fixed decimals above.
  const text = r < 1 ? r.toPrecision(2) : fmt(r, s.better === 'higher' ? 2 : r < 10 ? 1 : 0);
  return s.better === 'higher' ? text : `${text}x`;
}

export const fmtSize = (s: Pick<Summary, 'size'>) => (s.size === null ? '—' : sizeLabel(s.size));

/** The rows of the final table: bench | size | figure | value | baseline | ratio. */
export function tableRows(results: Summary[]): string[][] {
  return results.map((s) => [
    s.bench,
    s.note ? `${fmtSize(s)} (${s.note.replace(/^\S+ backlog/, 'backlog')})` : fmtSize(s),
    s.figure,
    `${fmtValue(s.value)} ${s.unit}`,
    s.baseline === null
      ? ''
      : `${s.baseline}: ${s.baselineValue === null ? '—' : `${fmtValue(s.baselineValue)} ${s.unit}`}`,
    fmtRatio(s),
  ]);
}

export const TABLE_HEAD = ['bench', 'size', 'figure', 'value', 'baseline', 'ratio'];

/** A plain-text table with aligned columns, for the terminal. */
export function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** A GitHub markdown table. */
export function markdownTable(head: string[], rows: string[][]): string {
  const esc = (c: string) => c.replaceAll('|', '\\|');
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
