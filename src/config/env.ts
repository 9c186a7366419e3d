import { FEED_ENV_VARS } from './feed.js';
import { NEWSLETTER_ENV_VARS } from './newsletter.js';
import { WEB_ENV_VARS } from './web.js';
import { SOCIAL_ENV_VARS } from './social.js';
import { OPERATIONS_ENV_VARS } from './operations.js';
import { MEDIA_ENV_VARS } from './media.js';
import { PLATFORM_RULES_ENV_VARS } from './platform-rules.js';
import { CONNECT_ENV_VARS } from './connect.js';

/** Environment variable -> configuration path. The single list of what the environment can set. */
export const ENV_VARS = {
  ...FEED_ENV_VARS,
  ...NEWSLETTER_ENV_VARS,
  ...WEB_ENV_VARS,
  ...SOCIAL_ENV_VARS,
  ...OPERATIONS_ENV_VARS,
  ...MEDIA_ENV_VARS,
  ...PLATFORM_RULES_ENV_VARS,
  ...CONNECT_ENV_VARS,
  PORT: 'port',
  HOST: 'host',
  HERALD_PUBLIC_URL: 'publicUrl',
  HERALD_SITE_URL: 'siteUrl',
  HERALD_ORGANISATION: 'organisationName',
  HERALD_DATA_DIR: 'dataDir',
  REDIS_URL: 'redisUrl',
  DATABASE_URL: 'databaseUrl',
  HERALD_API_TOKEN: 'apiToken',
  HERALD_SECRET_KEY: 'secretKey',
  HERALD_TIMEZONE: 'timezone',
  LOG_LEVEL: 'logLevel',
  HERALD_QUEUE_PREFIX: 'queuePrefix',
  HERALD_WORKER_HEAP_MB: 'workerHeapMb',
  HERALD_ALLOW_PRIVATE_URLS: 'allowPrivateUrls',
  HERALD_REQUIRE_REVIEW: 'publishing.requireReview',
  HERALD_DELIVERY_ATTEMPTS: 'delivery.attempts',
  HERALD_DELIVERY_BACKOFF_MS: 'delivery.backoffMs',
  HERALD_DELIVERY_CONCURRENCY: 'delivery.concurrency',
  HERALD_LOCK_MS: 'delivery.lockMs',
  HERALD_RECONCILE_EVERY_MS: 'delivery.reconcileEveryMs',
  HERALD_DRY_RUN_LATENCY_MS: 'channels.dryRunLatencyMs',
} as const;

/** Values are strings; zod coerces numbers. Empty strings count as unset. */
export function configFromEnv(env: NodeJS.ProcessEnv): {
  values: Record<string, unknown>;
  sources: Map<string, string>;
} {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const [name, path] of Object.entries(ENV_VARS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(values, path, value);
    sources.set(path, name);
  }
  return { values, sources };
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node = (typeof next === 'object' && next !== null ? next : (node[key] = {})) as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

/** Replaces `${NAME}` in strings (anywhere in the file's values) by the environment variable NAME. */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, missing: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_m, name: string) => {
      const found = env[name];
      if (found === undefined) missing.push(name);
      return found ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolateEnv(v, env, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, missing)]));
  }
  return value;
}
