/**
 * Bounds on Markdown that are checked before it is parsed. The parser (marked) is recursive and, on some
 * shapes, quadratic: 50,000 `*` in a row overflow its stack, `*a` repeated for 100 kB holds the event loop
 * for seconds. No article needs these shapes, so they are refused with a plain reason instead.
 */
export const MARKDOWN_LIMITS = {
  /** The longest run of one emphasis character (`*`, `_`, `~`). */
  delimiterRun: 32,
  /** How many `*`, `_`, `~` and backticks a text may hold (each). */
  emphasisMarks: 1_000,
  /** How many `[` (links, images), `<` (autolinks, HTML) and `&` (entities) a text may hold (each). */
  brackets: 2_000,
  /** How deep block quotes may nest (`>` at the start of a line). */
  quoteDepth: 16,
  /** How many lines a text may have (a 100 kB article has a few hundred to a couple of thousand). */
  lines: 5_000,
  /** How far a line may be indented (columns; a tab counts 4): bounds list nesting. */
  indentColumns: 32,
} as const;

const L = MARKDOWN_LIMITS;

/** Why this Markdown is refused before parsing, or null when it is within the bounds. */
export function markdownProblem(text: string): string | null {
  const counts: Record<string, number> = { '*': 0, _: 0, '~': 0, '`': 0, '[': 0, '<': 0, '&': 0 };
  let run = 0;
  let previous = '';
  for (const ch of text) {
    if (ch in counts) counts[ch]!++;
    run = ch === previous ? run + 1 : 1;
    previous = ch;
    if (run > L.delimiterRun && (ch === '*' || ch === '_' || ch === '~'))
      return `must not repeat "${ch}" more than ${L.delimiterRun} times in a row`;
  }
  for (const mark of ['*', '_', '~', '`'])
    if (counts[mark]! > L.emphasisMarks) return `must hold at most ${L.emphasisMarks} "${mark}"`;
  for (const mark of ['[', '<', '&'])
    if (counts[mark]! > L.brackets) return `must hold at most ${L.brackets} "${mark}"`;
  return lineProblem(text);
}

function lineProblem(text: string): string | null {
  const lines = text.split('\n');
  if (lines.length > L.lines) return `must have at most ${L.lines} lines`;
  for (const line of lines) {
    const lead = /^[ \t>]*/.exec(line)![0];
    let quotes = 0;
    let columns = 0;
    for (const ch of lead) {
      if (ch === '>') quotes++;
      else columns += ch === '\t' ? 4 : 1;
    }
    if (quotes > L.quoteDepth) return `must not nest block quotes more than ${L.quoteDepth} deep`;
    if (columns > L.indentColumns)
      return `must not indent a line more than ${L.indentColumns} columns (lists nested too deep)`;
  }
  return null;
}
