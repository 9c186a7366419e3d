import { readFileSync } from 'node:fs';
import path from 'node:path';
import type Yaml from 'yaml';
import { lazyRequire } from '../lazy-module.js';
import { configSchema, defaultDeliveryConcurrency, type HeraldConfig } from './schema.js';
import { configFromEnv, interpolateEnv } from './env.js';
import { ConfigError, findConfigFile } from './file.js';

/** yaml only when there is a YAML file to read. */
const yaml = lazyRequire<typeof Yaml>('yaml');

export { ConfigError };

function readConfigFile(file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  try {
    const parsed: unknown = file.endsWith('.json') ? JSON.parse(text) : yaml().parse(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('the top level must be a mapping');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError([`${file}: cannot be read: ${(error as Error).message}`]);
  }
}

function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    const bothObjects = isPlainObject(current) && isPlainObject(value);
    out[key] = bothObjects ? mergeDeep(current, value) : value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Values that win over file and environment (tests, CLI flags). */
  overrides?: Record<string, unknown>;
}

/** File (optional) < environment < overrides; validated as a whole. Throws ConfigError. */
export function loadConfig(options: LoadOptions = {}): HeraldConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = findConfigFile(env, cwd);
  const missing: string[] = [];
  const fromFile = file
    ? (interpolateEnv(readConfigFile(file), env, missing) as Record<string, unknown>)
    : {};
  const { values: fromEnv, sources } = configFromEnv(env);
  const merged = mergeDeep(mergeDeep(fromFile, fromEnv), options.overrides ?? {});
  const parsed = configSchema.safeParse(merged);
  const problems = missing.map(
    (name) => `${file}: refers to \${${name}}, which is not set in the environment`,
  );
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys =
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((k) => [...issue.path, k].join('.'))
          : [issue.path.join('.')];
      for (const key of keys) {
        const message = issue.code === 'unrecognized_keys' ? 'unknown option' : issue.message;
        const source = sources.get(key);
        problems.push(`${source ? `${source} (${key})` : key}: ${message}`);
      }
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const config = parsed.data;
  // One switch under two names: feed.allowPrivateSources (HERALD_ALLOW_PRIVATE_SOURCES) is the older one.
  const allowPrivateUrls = config.allowPrivateUrls ?? config.feed.allowPrivateSources;
  return {
    ...config,
    allowPrivateUrls,
    feed: { ...config.feed, allowPrivateSources: allowPrivateUrls },
    delivery: {
      ...config.delivery,
      concurrency: config.delivery.concurrency ?? defaultDeliveryConcurrency(config.databaseUrl),
    },
    dataDir: path.resolve(cwd, config.dataDir),
    publicUrl: (config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, ''),
    siteUrl: config.siteUrl.replace(/\/+$/, ''),
  };
}
