// A syntax check for cron patterns (the digest schedule), so a typo is a configuration error naming the
// field at start-up rather than a scheduler that silently never fires. BullMQ evaluates the pattern.

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIVE: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS },
];
const SECONDS: FieldSpec = { name: 'second', min: 0, max: 59 };

function value(text: string, spec: FieldSpec): number | null {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return spec.name === 'month' ? named + 1 : named;
  if (!/^\d{1,2}$/.test(text)) return null;
  const n = Number(text);
  return n >= spec.min && n <= spec.max ? n : null;
}

function checkPart(part: string, spec: FieldSpec): string | null {
  const [range = '', step, ...extra] = part.split('/');
  if (extra.length > 0 || (step !== undefined && !/^[1-9]\d{0,1}$/.test(step)))
    return `bad step in "${part}"`;
  if (range === '*' || range === '?') return null;
  const [from = '', to, ...more] = range.split('-');
  if (more.length > 0) return `bad range "${range}"`;
  const a = value(from, spec);
  if (a === null) return `"${from}" is not a valid ${spec.name} (${spec.min}-${spec.max})`;
  if (to === undefined) return null;
  const b = value(to, spec);
  if (b === null) return `"${to}" is not a valid ${spec.name} (${spec.min}-${spec.max})`;
  return a <= b ? null : `range "${range}" goes backwards`;
}

/** null when the pattern is a valid 5-field (or 6-field, with seconds) cron pattern; the problem otherwise. */
export function cronProblem(pattern: string): string | null {
  const fields = pattern.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return 'must have 5 fields (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1"';
  }
  const specs = fields.length === 6 ? [SECONDS, ...FIVE] : FIVE;
  for (const [index, field] of fields.entries()) {
    const spec = specs[index]!;
    for (const part of field.split(',')) {
      const problem = checkPart(part, spec);
      if (problem) return `${spec.name} field: ${problem}`;
    }
  }
  return null;
}
