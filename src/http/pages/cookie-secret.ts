import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The key that signs the web cookies. Derived from HERALD_SECRET_KEY when it is set (so every API process
 * of an installation agrees); otherwise generated once and kept in `<dataDir>/session-secret` (mode 0600).
 */
export function cookieSecret(secretKey: string | undefined, dataDir: string): Buffer {
  if (secretKey) return Buffer.from(hkdfSync('sha256', secretKey, 'herald', 'web session cookies', 32));
  const file = path.join(dataDir, 'session-secret');
  if (existsSync(file)) {
    const stored = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    if (stored.length >= 32) return stored;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(file, `${secret.toString('base64url')}\n`, { mode: 0o600 });
  return secret;
}
