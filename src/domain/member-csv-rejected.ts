// The rows an import rejected, to fix and import again: the file's own columns as they were, plus a
// reason column; and the reasons grouped for the report (each reason once, with the lines it concerns).
import { stringify } from 'csv-stringify/sync';
import { neutraliseFormula, readCsvRecords, type RejectedRow } from './member-csv.js';

export const REASON_COLUMN = 'reason';

/** CSV of the rejected rows (UTF-8 with a BOM, like the export), in file order. */
export function rejectedRowsCsv(input: string | Buffer, rejected: readonly RejectedRow[]): string {
  const [header, ...records] = readCsvRecords(input);
  const reasons = new Map(rejected.map((r) => [r.line, r.reason]));
  const rows = records
    .filter((r) => reasons.has(r.line))
    .map((r) => [...r.cells.map(neutraliseFormula), neutraliseFormula(reasons.get(r.line)!)]);
  return `\uFEFF${stringify([[...(header?.cells ?? []), REASON_COLUMN], ...rows])}`;
}

export interface ReasonGroup {
  /** The column at fault (`row` for the row as a whole). */
  column: string;
  message: string;
  rows: Array<{ line: number; email?: string | undefined }>;
}

/** One entry per distinct problem, with the rows that have it; a row with two problems is in two groups. */
export function groupRejections(rejected: readonly RejectedRow[]): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const row of rejected) {
    const problems = row.problems.length ? row.problems : [{ column: 'row', message: row.reason }];
    for (const { column, message } of problems) {
      const key = `${column}\u0000${message}`;
      const group = groups.get(key) ?? { column, message, rows: [] };
      if (!group.rows.some((r) => r.line === row.line)) group.rows.push({ line: row.line, email: row.email });
      groups.set(key, group);
    }
  }
  return [...groups.values()];
}
