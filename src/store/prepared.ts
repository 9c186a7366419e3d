// Hot-path statements: built and compiled by kysely once, then run many times through the driver itself, as a
// prepared statement on SQLite and a named statement on PostgreSQL. Building, compiling and camel-casing the
// same few statements for every delivery was a quarter of a worker's CPU. The SQL is kysely's own compiled
// text, so it is the same statement, with the same parameters in the same order, as the builder would run.
import { createHash } from 'node:crypto';
import { CamelCasePlugin, type Compilable, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A compiled statement as a runner receives it: its SQL text and a name that is unique to that text. */
export interface CompiledStatement {
  sql: string;
  name: string;
}

/** Runs compiled SQL on a store's own connections (see openStore), without kysely's per-query work. */
export interface StatementRunner {
  /** Compiled SQL differs by dialect: the runner's statements are compiled for its own. */
  dialect: string;
  run(
    statement: CompiledStatement,
    parameters: readonly unknown[],
  ): Promise<{ rows: Array<Record<string, unknown>>; changes: number }>;
}

/** Only the store's root handle has a runner: a transaction's handle runs its statements through kysely. */
const runners = new WeakMap<Kysely<Database>, StatementRunner>();

export function attachRunner(db: Kysely<Database>, runner: StatementRunner): void {
  runners.set(db, runner);
}

const ARG = '\u0000herald-arg:';

/** One parameter of the compiled SQL: a call's argument, or a value fixed in the statement. */
type Slot = { arg: string } | { value: unknown };

interface Template extends CompiledStatement {
  slots: Slot[];
}

/** Result columns come back snake_case from the driver: the same mapping as the store's CamelCasePlugin. */
class ResultKeys extends CamelCasePlugin {
  private readonly cache = new Map<string, string>();

  key(column: string): string {
    let key = this.cache.get(column);
    if (key === undefined) {
      key = this.camelCase(column);
      this.cache.set(column, key);
    }
    return key;
  }
}

const resultKeys = new ResultKeys();

function camelRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column in row) out[resultKeys.key(column)] = row[column];
  return out;
}

/**
 * A statement of fixed shape: `build` must give the same SQL whatever the argument values (no branching on
 * them). It is called once per dialect with placeholders standing for the arguments, and with the real
 * arguments when the handle is a transaction's.
 */
export class HotStatement<A extends object, O> {
  private readonly templates = new Map<string, Template>();

  constructor(private readonly build: (db: Kysely<Database>, args: A) => Compilable<O>) {}

  /** The rows the statement returns, camelCased as kysely returns them. */
  async rows(db: Kysely<Database>, args: A): Promise<O[]> {
    return (await this.execute(db, args)).rows;
  }

  /** How many rows the statement changed. */
  async changes(db: Kysely<Database>, args: A): Promise<number> {
    return (await this.execute(db, args)).changes;
  }

  private async execute(db: Kysely<Database>, args: A): Promise<{ rows: O[]; changes: number }> {
    const runner = runners.get(db);
    if (!runner) {
      const result = await db.executeQuery(this.build(db, args));
      return { rows: result.rows, changes: Number(result.numAffectedRows ?? 0) };
    }
    const template = this.templateFor(db, runner.dialect);
    const values = args as Record<string, unknown>;
    const parameters = template.slots.map((slot) => ('arg' in slot ? values[slot.arg] : slot.value));
    const result = await runner.run(template, parameters);
    return { rows: result.rows.map(camelRow) as O[], changes: result.changes };
  }

  private templateFor(db: Kysely<Database>, dialect: string): Template {
    let template = this.templates.get(dialect);
    if (!template) {
      template = compileTemplate(db, this.build);
      this.templates.set(dialect, template);
    }
    return template;
  }
}

/** Compiles `build` with a placeholder for each argument, and finds where each lands among the parameters. */
function compileTemplate<A extends object>(
  db: Kysely<Database>,
  build: (db: Kysely<Database>, args: A) => Compilable<unknown>,
): Template {
  const used = new Set<string>();
  const placeholders = new Proxy(
    {},
    {
      get(_target, name) {
        used.add(String(name));
        return `${ARG}${String(name)}`;
      },
    },
  ) as A;
  const { sql, parameters } = build(db, placeholders).compile();
  const slots = parameters.map((p): Slot => {
    if (typeof p !== 'string' || !p.startsWith(ARG)) return { value: p };
    const arg = p.slice(ARG.length);
    if (!used.has(arg)) throw new Error(`a hot statement changes an argument before using it: ${sql}`);
    return { arg };
  });
  for (const arg of used)
    if (!slots.some((s) => 'arg' in s && s.arg === arg))
      throw new Error(`a hot statement uses its argument "${arg}" outside its parameters: ${sql}`);
  const name = `herald_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
  return { sql, name, slots };
}
