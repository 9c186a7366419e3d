import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type Yaml from 'yaml';
import { lazyRequire } from '../lazy-module.js';

/** yaml only when there is a YAML file to read. */
const yaml = lazyRequire<typeof Yaml>('yaml');

export interface SecretsFile {
  file: string;
  /** Account id -> credentials. */
  accounts: Map<string, Record<string, string>>;
  problems: string[];
  notes: string[];
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where the parser stopped, without quoting the line (it may hold a secret). */
function whereParsingFailed(error: unknown): string {
  const pos = (error as { linePos?: Array<{ line: number }> }).linePos?.[0];
  return pos ? ` (line ${pos.line})` : '';
}

function parse(file: string, text: string): unknown {
  if (file.endsWith('.json')) return JSON.parse(text);
  return yaml().parse(text);
}

function credentialsOf(
  file: string,
  id: string,
  value: unknown,
  problems: string[],
): Record<string, string> | null {
  if (!isMapping(value)) {
    problems.push(`${file}: ${id} must be a mapping of credential names to values`);
    return null;
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'number') out[key] = String(v).trim();
    else problems.push(`${file}: ${id}.${key} must be a text value`);
  }
  return out;
}

/**
 * Reads a YAML or JSON secrets file: `<account id>: {<credential>: <value>}`. Problems name the file, the
 * account and the key, never a value nor a line of the file.
 */
export function readSecretsFile(name: string, cwd: string): SecretsFile {
  const file = path.resolve(cwd, name);
  const result: SecretsFile = { file, accounts: new Map(), problems: [], notes: [] };
  if (!existsSync(file)) {
    result.problems.push(`channels.secretsFile: ${file} does not exist`);
    return result;
  }
  let parsed: unknown;
  try {
    parsed = parse(file, readFileSync(file, 'utf8'));
  } catch (error) {
    result.problems.push(
      `${file}: is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}${whereParsingFailed(error)}`,
    );
    return result;
  }
  if (parsed === null || parsed === undefined) return result;
  if (!isMapping(parsed)) {
    result.problems.push(`${file}: the top level must map account ids to their credentials`);
    return result;
  }
  for (const [id, value] of Object.entries(parsed)) {
    const credentials = credentialsOf(file, id, value, result.problems);
    if (credentials) result.accounts.set(id, credentials);
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    result.notes.push(`${file} can be read by other users of this machine: restrict it (chmod 600)`);
  }
  return result;
}
