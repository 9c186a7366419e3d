import { keptSecret } from '../config/secret-key.js';

/**
 * The API token: HERALD_API_TOKEN when set; otherwise one generated on first start and kept in
 * `<dataDir>/api-token` (mode 0600), so a fresh install is never open to everyone.
 */
export function resolveApiToken(
  configured: string | undefined,
  dataDir: string,
): { token: string; file: string | null; created: boolean } {
  const { value, ...rest } = keptSecret(configured, dataDir, 'api-token', 24);
  return { token: value, ...rest };
}
