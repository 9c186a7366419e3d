import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The key that encrypts stored platform tokens: HERALD_SECRET_KEY when set; otherwise one generated on first
 * start and kept in `<dataDir>/secret-key` (mode 0600), so connecting an account works on a fresh install.
 */
export function resolveSecretKey(
  configured: string | undefined,
  dataDir: string,
): { key: string; file: string | null; created: boolean } {
  if (configured) return { key: configured, file: null, created: false };
  const file = path.join(dataDir, 'secret-key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), file, created: false };
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, file, created: true };
}
