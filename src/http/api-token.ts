import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The API token: HERALD_API_TOKEN when set; otherwise one generated on first start and kept in
 * `<dataDir>/api-token` (mode 0600), so a fresh install is never open to everyone.
 */
export function resolveApiToken(
  configured: string | undefined,
  dataDir: string,
): { token: string; file: string | null; created: boolean } {
  if (configured) return { token: configured, file: null, created: false };
  const file = path.join(dataDir, 'api-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), file, created: false };
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, file, created: true };
}
