import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A secret from the configuration when set; otherwise one generated on first start and kept in
 * `<dataDir>/<fileName>` (mode 0600), so a fresh install works and stays closed.
 */
export function keptSecret(
  configured: string | undefined,
  dataDir: string,
  fileName: string,
  bytes: number,
): { value: string; file: string | null; created: boolean } {
  if (configured) return { value: configured, file: null, created: false };
  const file = path.join(dataDir, fileName);
  if (existsSync(file)) return { value: readFileSync(file, 'utf8').trim(), file, created: false };
  mkdirSync(dataDir, { recursive: true });
  const value = randomBytes(bytes).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return { value, file, created: true };
}

/** The key that encrypts stored platform tokens: HERALD_SECRET_KEY, or `<dataDir>/secret-key`. */
export function resolveSecretKey(
  configured: string | undefined,
  dataDir: string,
): { key: string; file: string | null; created: boolean } {
  const { value, ...rest } = keptSecret(configured, dataDir, 'secret-key', 32);
  return { key: value, ...rest };
}
