import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS package loaded on its first use rather than when Herald starts: `herald start` and small
 * commands stay light, while the callers keep their synchronous code. A package that cannot load throws
 * on first use; src/ops/deferred-modules.ts loads every deferred one in the background after start so
 * that a broken install is said at once.
 */
export function lazyRequire<T>(name: string): () => T {
  return lazy(() => require(name) as T);
}

/** A value made on its first use (e.g. a converter compiled from a lazily loaded package), then kept. */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
