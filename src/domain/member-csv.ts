// CSV import and export of member contacts. Pure: text in, plan or text out; the store applies a plan
// in one transaction.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ValidationError } from './errors.js';
import type { Authority, Contact, RegionType, Subscriptions } from './member.js';
import {
  authorityKey,
  emailKey,
  normaliseCountry,
  normaliseEmail,
  normaliseLanguage,
  normaliseName,
  normaliseRegionType,
} from './member.js';

export const REQUIRED_COLUMNS = ['authority', 'country', 'name', 'email', 'language'] as const;
export const OPTIONAL_COLUMNS = ['region_type', 'announcements', 'digest', 'status'] as const;
type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

export interface ImportedAuthority {
  key: string;
  name: string;
  country: string;
  /** Absent when no row gave one: keep the stored value, or the default for a new authority. */
  regionType?: RegionType;
  line: number;
}

/** A contact to create or update (matched by emailKey). An import never changes a contact's status. */
export interface ImportedContact {
  line: number;
  email: string;
  emailKey: string;
  name: string;
  language: string;
  authorityKey: string;
  /** Only the subscriptions the file sets; the others keep their stored value (or the default). */
  subscriptions: Partial<Subscriptions>;
}

export interface RowProblem {
  column: Column | 'row';
  message: string;
}

export interface RejectedRow {
  /** 1-based line where the record starts (the header is line 1). */
  line: number;
  email?: string;
  reason: string;
  problems: RowProblem[];
}

export interface ImportNote {
  line: number;
  message: string;
}

export interface ContactImportPlan {
  authorities: ImportedAuthority[];
  contacts: ImportedContact[];
  rejected: RejectedRow[];
  notes: ImportNote[];
  /** Data rows read (empty lines not counted). */
  rows: number;
}

export interface RawRecord {
  line: number;
  cells: string[];
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** Parses an import; throws ValidationError when the file itself is unusable (header, quoting). */
export function planContactImport(input: string | Buffer): ContactImportPlan {
  // csv-parse miscounts lines (and may pick `\r` as the record delimiter) with Windows line endings.
  const text = (typeof input === 'string' ? input : input.toString('utf8')).replace(/\r\n?/g, '\n');
  const [header, ...records] = readRecords(text);
  if (!header)
    throw new ValidationError({ header: `is missing: the first line must be ${REQUIRED_COLUMNS.join(',')}` });
  const { columns, notes } = readHeader(header);
  const plan = new PlanBuilder(columns, header.cells.length, notes);
  for (const record of records) plan.add(record);
  return plan.result(records.length);
}

/** The file's records as read, each with the line it starts on (the header is the first). */
export function readCsvRecords(input: string | Buffer): RawRecord[] {
  return readRecords((typeof input === 'string' ? input : input.toString('utf8')).replace(/\r\n?/g, '\n'));
}

function detectDelimiter(text: string): ',' | ';' {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  // Spreadsheets set to French or German locales save CSV with semicolons.
  return (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
}

function readRecords(text: string): RawRecord[] {
  let parsed: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    // With `info` and `raw`, csv-parse returns {record, info, raw} objects; its typings do not say so.
    parsed = parse(text, {
      bom: true,
      delimiter: detectDelimiter(text.replace(/^\uFEFF/, '')),
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      raw: true,
    }) as unknown as typeof parsed;
  } catch (err) {
    throw new ValidationError({ csv: (err as Error).message }, `invalid CSV: ${(err as Error).message}`);
  }
  return parsed.map(({ record, info, raw }) => ({
    line: startLine(info.lines, raw),
    cells: record.map(unescapeCell),
  }));
}

/** csv-parse reports the line a record ends on; a quoted field may span lines. */
function startLine(endLine: number, raw: string): number {
  const body = raw.replace(/^\n+/, '').replace(/\n$/, '');
  return endLine - (body.match(/\n/g)?.length ?? 0);
}

/** Undoes the export's formula-injection quote. */
function unescapeCell(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

function readHeader(header: RawRecord): { columns: Map<Column, number>; notes: ImportNote[] } {
  const columns = new Map<Column, number>();
  const notes: ImportNote[] = [];
  const known: readonly string[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];
  header.cells.forEach((cell, index) => {
    const name = cell
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
    if (!known.includes(name)) notes.push({ line: 1, message: `column "${cell}" is not used` });
    else if (columns.has(name as Column))
      throw new ValidationError({ header: `column "${name}" appears twice` });
    else columns.set(name as Column, index);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.has(c));
  if (missing.length > 0) {
    throw new ValidationError({
      header: `is missing the column(s) ${missing.join(', ')} (required: ${REQUIRED_COLUMNS.join(',')})`,
    });
  }
  if (columns.has('status')) {
    notes.push({ line: 1, message: "column status is not used: an import never changes a contact's status" });
  }
  return { columns, notes };
}

const TRUE_WORDS = new Set(['yes', 'y', 'true', '1', 'x', 'oui', 'o', 'ja', 'si', 'sí', 'sim']);
const FALSE_WORDS = new Set(['no', 'n', 'false', '0', 'non', 'nein', 'nee', 'não']);

function parseFlag(value: string): boolean | undefined | null {
  const word = value.trim().toLowerCase();
  if (word === '') return undefined;
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return null;
}

interface ParsedRow {
  contact: ImportedContact;
  authority: ImportedAuthority;
}

class PlanBuilder {
  private readonly authorities = new Map<string, ImportedAuthority>();
  private readonly contacts = new Map<string, ImportedContact>();
  private readonly rejected: RejectedRow[] = [];

  constructor(
    private readonly columns: Map<Column, number>,
    private readonly width: number,
    private readonly notes: ImportNote[],
  ) {}

  add(record: RawRecord): void {
    const parsed = this.parseRow(record);
    if (!parsed) return;
    const existing = this.contacts.get(parsed.contact.emailKey);
    if (existing) return this.mergeDuplicate(existing, parsed, record.line);
    this.addAuthority(parsed.authority);
    this.contacts.set(parsed.contact.emailKey, parsed.contact);
  }

  result(rows: number): ContactImportPlan {
    return {
      authorities: [...this.authorities.values()],
      contacts: [...this.contacts.values()],
      rejected: this.rejected,
      notes: this.notes.sort((a, b) => a.line - b.line),
      rows,
    };
  }

  private cell(record: RawRecord, column: Column): string {
    const index = this.columns.get(column);
    return index === undefined ? '' : (record.cells[index] ?? '');
  }

  private parseRow(record: RawRecord): ParsedRow | null {
    const problems: RowProblem[] = [];
    const get = (column: Column) => this.cell(record, column);
    if (record.cells.length !== this.width) {
      problems.push({
        column: 'row',
        message: `has ${record.cells.length} columns, the header has ${this.width}`,
      });
    }
    const authorityName = normaliseName(get('authority'));
    if (authorityName === '') problems.push({ column: 'authority', message: 'missing authority' });
    const country = normaliseCountry(get('country'));
    if (country === null) problems.push({ column: 'country', message: unknownCountry(get('country')) });
    const email = normaliseEmail(get('email'));
    if (email === null)
      problems.push({
        column: 'email',
        message: get('email') ? `invalid email "${get('email')}"` : 'missing email',
      });
    const language = normaliseLanguage(get('language'));
    if (language === null)
      problems.push({ column: 'language', message: `unknown language "${get('language')}"` });
    const regionType = get('region_type') === '' ? undefined : normaliseRegionType(get('region_type'));
    if (regionType === null)
      problems.push({ column: 'region_type', message: `unknown region type "${get('region_type')}"` });
    const subscriptions: Partial<Subscriptions> = {};
    for (const column of ['announcements', 'digest'] as const) {
      const flag = parseFlag(get(column));
      if (flag === null) problems.push({ column, message: `must be yes or no, not "${get(column)}"` });
      else if (flag !== undefined) subscriptions[column] = flag;
    }
    if (problems.length > 0 || !country || !email || !language || regionType === null) {
      this.reject(record.line, problems, email ?? (get('email') || undefined));
      return null;
    }
    const key = authorityKey(authorityName, country);
    return {
      authority: {
        key,
        name: authorityName,
        country,
        line: record.line,
        ...(regionType ? { regionType } : {}),
      },
      contact: {
        line: record.line,
        email,
        emailKey: emailKey(email),
        name: normaliseName(get('name')),
        language,
        authorityKey: key,
        subscriptions,
      },
    };
  }

  private reject(line: number, problems: RowProblem[], email?: string): void {
    const reason = problems.map((p) => (p.column === 'row' ? `row ${p.message}` : p.message)).join('; ');
    this.rejected.push({ line, reason, problems, ...(email ? { email } : {}) });
  }

  private addAuthority(authority: ImportedAuthority): void {
    const known = this.authorities.get(authority.key);
    if (!known) {
      this.authorities.set(authority.key, authority);
    } else if (authority.regionType && !known.regionType) {
      known.regionType = authority.regionType;
    } else if (authority.regionType && authority.regionType !== known.regionType) {
      this.notes.push({
        line: authority.line,
        message: `region type "${authority.regionType}" ignored: line ${known.line} gave "${known.regionType}" for ${known.name}`,
      });
    }
  }

  /** A later row for the same address fills what the earlier left empty; a contradiction rejects it. */
  private mergeDuplicate(earlier: ImportedContact, later: ParsedRow, line: number): void {
    const conflicts = contradictions(earlier, later.contact);
    if (conflicts.length > 0) {
      const problems = conflicts.map((c) => ({
        column: c,
        message: `duplicate of line ${earlier.line} with a different ${c}`,
      }));
      return this.reject(line, problems, later.contact.email);
    }
    if (earlier.name === '') earlier.name = later.contact.name;
    earlier.subscriptions = { ...later.contact.subscriptions, ...earlier.subscriptions };
    this.addAuthority(later.authority);
    this.notes.push({
      line,
      message: `duplicate of line ${earlier.line} (${earlier.email}): merged into it`,
    });
  }
}

/** Codes people write for a country that ISO 3166 spells otherwise. */
const COUNTRY_HINTS: Readonly<Record<string, string>> = { UK: 'GB', EL: 'GR' };

function unknownCountry(given: string): string {
  const hint = COUNTRY_HINTS[given.trim().toUpperCase()];
  return `unknown country code "${given}"${hint ? ` (did you mean "${hint}"?)` : ''}`;
}

function contradictions(a: ImportedContact, b: ImportedContact): Column[] {
  const found: Column[] = [];
  if (a.authorityKey !== b.authorityKey) found.push('authority');
  if (a.language !== b.language) found.push('language');
  if (a.name && b.name && a.name !== b.name) found.push('name');
  for (const column of ['announcements', 'digest'] as const) {
    const x = a.subscriptions[column];
    const y = b.subscriptions[column];
    if (x !== undefined && y !== undefined && x !== y) found.push(column);
  }
  return found;
}

// --- Export ------------------------------------------------------------------------------------

export const EXPORT_COLUMNS = [
  ...REQUIRED_COLUMNS,
  'region_type',
  'announcements',
  'digest',
  'status',
] as const;

/** Prefixes a quote to cells a spreadsheet would run as a formula (CWE-1236). */
export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** CSV of contacts with their authority, importable as is. UTF-8 with a BOM so spreadsheets read accents. */
export function exportContactsCsv(
  authorities: readonly Authority[],
  contacts: readonly Contact[],
  { bom = true } = {},
): string {
  const byId = new Map(authorities.map((a) => [a.id, a]));
  // Followers (no authority) are not members: this file is the members' list, importable as is.
  const rows = contacts.flatMap((contact) => {
    if (contact.authorityId === null) return [];
    const authority = byId.get(contact.authorityId);
    if (!authority)
      throw new Error(`contact ${contact.id} refers to unknown authority ${contact.authorityId}`);
    return [
      [
        authority.name,
        authority.country,
        contact.name,
        contact.email,
        contact.language,
        authority.regionType,
        contact.subscriptions.announcements ? 'yes' : 'no',
        contact.subscriptions.digest ? 'yes' : 'no',
        contact.status,
      ].map(neutraliseFormula),
    ];
  });
  return stringify([[...EXPORT_COLUMNS], ...rows], { bom, record_delimiter: 'unix' });
}
